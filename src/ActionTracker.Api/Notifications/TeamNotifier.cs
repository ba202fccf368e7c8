using System.Globalization;
using System.Text;
using System.Text.Json;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Teams;
using ActionTracker.Domain.ActionItems;
using Marten;
using Wolverine;
using Wolverine.Attributes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ActionTracker.Api.Notifications;

/// <summary>What a team's notify URL receives: Slack-compatible <c>text</c> plus structured fields.</summary>
public sealed record TeamNotification(
    string Text,
    string Kind,
    int Level,
    NotifiedItem Item,
    string Owner,
    IReadOnlyList<string> EscalatedTo,
    DateTimeOffset At);

public sealed record NotifiedItem(Guid Id, string Title, string Team, string Owner, string Priority, string Status, DateTimeOffset DueAt);

/// <summary>
/// A post to a team's notify URL, as a durable message: retried with backoff, dead-lettered when
/// every attempt failed (configuration <c>Notifications</c>). The payload is the exact JSON posted.
/// <paramref name="Url"/> is where the team wanted it when it was queued; each attempt posts to
/// the URL the team has then.
/// </summary>
[MessageIdentity("team-notification")]
public sealed record SendTeamNotification(string Team, string Url, string Payload);

/// <summary>
/// Turns ladder steps into notifications, at most one per item per day (the quiet period): the
/// decider marks a reminder that falls in it (not sent), a level change reached in it is
/// scheduled for its end, and when several levels are reached at once (after downtime) only the
/// highest is announced.
/// </summary>
public sealed class TeamNotifier(TeamDirectory teams, IOptions<JsonOptions> json)
{
    /// <summary>The notification the steps call for, or null (nothing worth telling, or the team has no URL).</summary>
    public async Task<SendTeamNotification?> For(ActionItem item, IReadOnlyList<IActionItemEvent> steps, CancellationToken ct)
    {
        var step = steps.LastOrDefault(s => s is ActionItemOverdue or ActionItemEscalated or ActionItemDueSoon { Notify: true });
        if (step is null)
            return null;
        var team = await teams.Find(item.Team, ct);
        if (team?.NotifyUrl is not { } url)
            return null;
        return new SendTeamNotification(team.Slug, url, JsonSerializer.Serialize(Build(item, step, team), json.Value.SerializerOptions));
    }

    public static TeamNotification Build(ActionItem item, IActionItemEvent step, Team team)
    {
        var (kind, level) = step switch
        {
            ActionItemDueSoon => ("due_soon", 0),
            ActionItemOverdue => ("overdue", 1),
            ActionItemEscalated e => ("escalated", e.Level),
            _ => throw new ArgumentOutOfRangeException(nameof(step)),
        };
        IReadOnlyList<string> to = step switch
        {
            // Whom the ladder's step named when it was taken.
            ActionItemOverdue { Notified: { } notified } => notified,
            ActionItemEscalated { Notified: { } notified } => notified,
            _ => Legacy(item, level, team),
        };
        var due = TeamTime.Format(item.DueAt, team.TimeZone);
        var text = new StringBuilder();
        text.Append(kind switch
        {
            "due_soon" => $"Reminder: \"{item.Title}\" is due {due}.",
            "overdue" => $"Overdue: \"{item.Title}\" was due {due}.",
            _ => $"Escalation level {level}: \"{item.Title}\" was due {due} and is still {item.Status.Name().Replace('_', ' ')}.",
        });
        text.Append($" Team {item.Team}, owner {item.Owner}, priority {item.Priority.Name()}.");
        if (level >= 2)
            text.Append($" Escalated to {string.Join(", ", to)}.");
        return new TeamNotification(
            SlackText.Escape(text.ToString()), kind, level,
            new NotifiedItem(item.Id, item.Title, item.Team, item.Owner, item.Priority.Name(), item.Status.Name(), item.DueAt),
            item.Owner, to, step.At);
    }

    /// <summary>Whom a step recorded before ladders were data meant: level 2 the leads, 3 the contact (else the leads), otherwise the owner.</summary>
    private static IReadOnlyList<string> Legacy(ActionItem item, int level, Team team) => level switch
    {
        2 when team.Leads.Count > 0 => team.Leads,
        3 when team.EscalationContact is { } contact => [contact],
        3 when team.Leads.Count > 0 => team.Leads,
        _ => [item.Owner],
    };
}

/// <summary>Posts team notifications as JSON, with a timeout, to public addresses only (unless allowed).</summary>
public static partial class SendTeamNotificationHandler
{
    public const string ClientName = "notifications";

    public static async Task Handle(SendTeamNotification message, Envelope envelope, IHttpClientFactory clients, IDocumentStore store,
        TeamDirectory teams, TimeProvider time, ILogger<SendTeamNotification> logger, CancellationToken ct)
    {
        if (await Outdated(store, message.Payload, ct) is { } why)
        {
            // A level change held back by the quiet period (or a retry) whose item moved on
            // meanwhile: telling the team now would be wrong, so it is dropped.
            LogOutdated(logger, envelope.Id, why);
            return;
        }
        // Read at each attempt: a retry after the team moved its notifications goes to the new URL.
        if ((await teams.Find(message.Team, ct))?.NotifyUrl is not { } url || await teams.Secret(message.Team, ct) is not { } secret)
        {
            LogOutdated(logger, envelope.Id, "the team has no notify URL any more");
            return;
        }
        using var content = new StringContent(message.Payload, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        // The envelope's id stays the same through retries: the receiver can drop a repeat.
        var id = $"notification-{envelope.Id}";
        request.Headers.Add("Idempotency-Key", id);
        // Signed as webhooks are (Standard Webhooks), with the team's own secret.
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Events.WebhookSignature.Sign(secret, id, timestamp, message.Payload));
        using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode}.");
    }

    /// <summary>Why a ladder notification no longer holds (the item finished, moved team, re-dated, or went back down the ladder); null when it does.</summary>
    private static async Task<string?> Outdated(IDocumentStore store, string payload, CancellationToken ct)
    {
        using var json = JsonDocument.Parse(payload);
        var root = json.RootElement;
        if (root.TryGetProperty("kind", out var kind) is false || kind.GetString() is not ("due_soon" or "overdue" or "escalated")
            || !root.TryGetProperty("item", out var item) || !root.TryGetProperty("level", out var level))
            return null;
        await using var session = store.QuerySession();
        if (await session.LoadAsync<ActionItem>(item.GetProperty("id").GetGuid(), ct) is not { } current)
            return "the item is gone";
        if (current.IsTerminal)
            return "the item was closed";
        if (current.Team != item.GetProperty("team").GetString())
            return "the item moved to another team";
        if (current.DueAt != item.GetProperty("dueAt").GetDateTimeOffset())
            return "the item has a new due date";
        if (current.EscalationLevel < level.GetInt32())
            return "the item went back down the ladder";
        return null;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Team notification {Id} not sent: {Why}")]
    private static partial void LogOutdated(ILogger logger, Guid id, string why);
}
