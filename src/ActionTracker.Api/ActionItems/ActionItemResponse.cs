using System.Text.Json.Serialization;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.ActionItems;

/// <summary>The ActionItem resource of API.md.</summary>
public sealed record ActionItemResponse(
    Guid Id,
    string Title,
    string? Description,
    string Team,
    string Owner,
    string Priority,
    string Status,
    DateTimeOffset DueAt,
    bool Overdue,
    int EscalationLevel,
    SourceResponse? Source,
    IReadOnlyList<string> Labels,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    long Version,
    string? BlockedReason,
    string? Resolution,
    string? WontDoReason,
    int CommentCount,
    DateTimeOffset LastActivityAt)
{
    /// <summary>Overdue is computed when read, so it is right without waiting for any scheduler.</summary>
    public static ActionItemResponse From(ActionItem item, long version, DateTimeOffset now) => new(
        item.Id, item.Title, item.Description, item.Team, item.Owner, item.Priority.Name(), item.Status.Name(),
        item.DueAt, item.IsOverdue(now), item.EscalationLevel,
        item.Source is { } s ? new SourceResponse(s.Kind, s.Ref, s.Title) : null,
        item.Labels, item.CreatedAt, item.UpdatedAt, item.CompletedAt, version,
        item.BlockedReason, item.Resolution, item.WontDoReason, item.Comments,
        // The last change a person made (the ladder's steps are the clock's, not activity).
        item.UpdatedAt);

    [JsonIgnore]
    public string ETag => $"\"{Version}\"";
}

public sealed record SourceResponse(string Kind, string? Ref, string? Title);

public sealed record ActionItemPage(IReadOnlyList<ActionItemResponse> Items, string? NextCursor);
