using System.Globalization;
using System.Text;
using System.Text.Json;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Teams;
using ActionTracker.Domain.ActionItems;
using ActionTracker.EventStore;
using ActionTracker.EventStore.Messaging;
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
/// Turns ladder steps into notifications in the outbox, at most one per item per day (the quiet
/// period): the decider marks a reminder that falls in it (not sent), a level change reached in
/// it waits in the outbox for its end, and when several levels are reached at once (after
/// downtime) only the highest is announced.
/// </summary>
public sealed class TeamNotifier(TeamDirectory teams, Outbox outbox, IOptions<JsonOptions> json)
{
    public const string Kind = "team-notification";

    /// <param name="notBefore">The end of the item's quiet period, when it was notified less than a day ago.</param>
    public async Task Queue(ISqlWriter writer, ActionItem item, IReadOnlyList<IActionItemEvent> steps, CancellationToken ct, DateTimeOffset? notBefore = null)
    {
        var step = steps.LastOrDefault(s => s is ActionItemOverdue or ActionItemEscalated or ActionItemDueSoon { Notify: true });
        if (step is null)
            return;
        var team = await teams.Find(item.Team, ct);
        if (team?.NotifyUrl is not { } url)
            return;
        var notification = Build(item, step, team);
        outbox.Enqueue(writer, Kind, url, JsonSerializer.Serialize(notification, json.Value.SerializerOptions), notBefore);
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
        IReadOnlyList<string> to = level switch
        {
            2 when team.Leads.Count > 0 => team.Leads,
            3 when team.EscalationContact is { } contact => [contact],
            3 when team.Leads.Count > 0 => team.Leads,
            _ => [item.Owner],
        };
        var due = item.DueAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
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
            text.ToString(), kind, level,
            new NotifiedItem(item.Id, item.Title, item.Team, item.Owner, item.Priority.Name(), item.Status.Name(), item.DueAt),
            item.Owner, to, step.At);
    }
}

/// <summary>Posts team notifications as JSON, with a timeout, to public addresses only (unless allowed).</summary>
public sealed partial class TeamNotificationTransport(IHttpClientFactory clients, Marten.IDocumentStore store, ILogger<TeamNotificationTransport> logger)
    : IOutboxTransport
{
    public const string ClientName = "notifications";

    public string Kind => TeamNotifier.Kind;

    public async Task Send(OutboxMessage message, CancellationToken ct)
    {
        if (await Outdated(message.Payload, ct) is { } why)
        {
            // A level change held back by the quiet period (or a retry) whose item moved on
            // meanwhile: telling the team now would be wrong, so it is dropped.
            LogOutdated(message.Id, why);
            return;
        }
        using var content = new StringContent(message.Payload, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, message.Destination) { Content = content };
        request.Headers.Add("Idempotency-Key", $"notification-{message.Id}");
        using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{message.Destination} answered {(int)response.StatusCode}.");
    }

    /// <summary>Why a ladder notification no longer holds (the item finished, moved team, re-dated, or went back down the ladder); null when it does.</summary>
    private async Task<string?> Outdated(string payload, CancellationToken ct)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Team notification {Id} not sent: {Why}")]
    private partial void LogOutdated(long id, string why);
}
