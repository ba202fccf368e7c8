namespace ActionTracker.Domain.ActionItems;

/// <summary>
/// Decides which events a command produces. Pure: the clock, the caller and the policy come in
/// through <see cref="DecisionContext"/>. Order of checks: input (400), then permission (403),
/// then state (409), so a caller who may not act learns nothing about the state. A command that
/// asks for what is already true returns no events, which makes retries harmless.
/// </summary>
public static class ActionItemDecider
{
    public const int MaxTitle = 200;
    public const int MaxText = 4000;
    public const int MaxReason = 1000;
    public const int MaxLabels = 20;
    public const int MaxLabel = 50;

    /// <remarks>A refusal names who leads the item's team, so the caller knows whom to ask.</remarks>
    public static IReadOnlyList<IActionItemEvent> Decide(ActionItem? state, ActionItemCommand command, DecisionContext context)
    {
        try
        {
            return DecideFor(state, command, context);
        }
        catch (NotPermitted refused) when (context.Caller.WhoLeads(state?.Team ?? (command as CreateActionItem)?.Team ?? "") is { } leads)
        {
            throw new NotPermitted($"{refused.Message} {leads}");
        }
    }

    private static IReadOnlyList<IActionItemEvent> DecideFor(ActionItem? state, ActionItemCommand command, DecisionContext context) =>
        (state, command) switch
        {
            (null, CreateActionItem create) => Create(create, context),
            (not null, CreateActionItem) => throw new InvalidState("The action item already exists."),
            (null, _) => throw new InvalidState("The action item does not exist."),
            (_, ChangeStatus change) => ChangeStatus(state, change, context),
            (_, AssignActionItem assign) => Assign(state, assign, context),
            (_, ChangeDueDate change) => ChangeDueDate(state, change, context),
            (_, AddComment comment) => Comment(state, comment, context),
            (_, EditDetails edit) => EditDetails(state, edit, context),
            (_, CheckDeadlines) => Deadlines.Check(state, context.Now, context.Ladder, context.Notified, context.Caller.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown command."),
        };

    private static IReadOnlyList<IActionItemEvent> Create(CreateActionItem c, DecisionContext ctx)
    {
        var errors = new Errors();
        errors.Required("title", c.Title, MaxTitle);
        errors.Optional("description", c.Description, MaxText, multiline: true);
        errors.Slug("team", c.Team);
        errors.UserId("owner", c.Owner);
        var dueAt = c.DueAt?.In(ctx.Ladder.TimeZone);
        if (dueAt is { } due && due <= ctx.Now)
            errors.Add("dueAt", "The due date must be in the future.");
        if (c.Priority is { } p && !Enum.IsDefined(p))
            errors.Add("priority", "Unknown priority.");
        if (c.Source is { } source)
        {
            errors.Required("source.kind", source.Kind, MaxLabel);
            errors.Optional("source.ref", source.Ref, MaxTitle);
            errors.Optional("source.title", source.Title, MaxTitle);
        }
        var labels = errors.Labels(c.Labels ?? []);
        errors.ThrowIfAny();

        var caller = ctx.Caller;
        if (!caller.BelongsTo(c.Team) && !caller.IsService && !caller.IsAdmin)
            throw new NotPermitted($"Only members of team '{c.Team}', services and admins may create its items.");

        var priority = c.Priority ?? Priority.Medium;
        // The bound of an owner's postponement holds at creation too: only a lead of the team
        // or an admin may set a due date further out than twice the priority's default.
        var latest = ctx.Policy.LatestOwnerDueDate(priority, ctx.Now);
        if (dueAt > latest && !caller.IsAdmin && !caller.LeadsTeam(c.Team))
            throw new NotPermitted(
                $"A {priority.ToString().ToLowerInvariant()} item may be due {latest:yyyy-MM-dd'T'HH:mm:ss'Z'} at the latest (twice the default); ask a lead of the team for a later date.");
        return
        [
            new ActionItemCreated(
                c.ItemId, c.Title.Trim(), Normalize(c.Description), c.Team, c.Owner.Trim(), priority,
                dueAt ?? ctx.DefaultDueAt(priority), c.Source, labels, caller.Id, ctx.Now),
        ];
    }

    private static IReadOnlyList<IActionItemEvent> ChangeStatus(ActionItem item, ChangeStatus c, DecisionContext ctx)
    {
        var errors = new Errors();
        if (!Enum.IsDefined(c.Status))
            errors.Add("status", "Unknown status.");
        if (c.Status is ItemStatus.Blocked or ItemStatus.WontDo)
            errors.Required("reason", c.Reason, MaxReason, multiline: true);
        else
            errors.Optional("reason", c.Reason, MaxReason, multiline: true);
        errors.Optional("resolution", c.Resolution, MaxText, multiline: true);
        if (c.Resolution is not null && c.Status != ItemStatus.Done)
            errors.Add("resolution", "Only a change to done carries a resolution.");
        errors.ThrowIfAny();

        var caller = ctx.Caller;
        var leadOrAdmin = caller.IsAdmin || caller.LeadsTeam(item.Team);
        if (!leadOrAdmin && caller.Id != item.Owner)
            throw new NotPermitted("Only the owner, a lead of the team or an admin may change the status.");
        var reopening = item.IsTerminal && c.Status == ItemStatus.Open;
        if ((c.Status == ItemStatus.WontDo || reopening) && !leadOrAdmin)
            throw new NotPermitted(reopening
                ? "Only a lead of the team or an admin may reopen a finished item."
                : "Only a lead of the team or an admin may decide an item will not be done.");

        if (item.Status == c.Status)
        {
            // Asking again for the state the item is in changes nothing (a retry); asking with
            // new data that state cannot take is not silently dropped.
            if (c.Status == ItemStatus.Done && Normalize(c.Resolution) is { } resolution && resolution != item.Resolution)
                throw new InvalidState($"The item is already done{(item.Resolution is null ? " without a resolution" : $" with the resolution \"{item.Resolution}\"")}; "
                                       + "a new resolution needs a lead to reopen it first, or add it as a comment.");
            if (c.Status == ItemStatus.Blocked && c.Reason?.Trim() is { Length: > 0 } blocked && blocked != item.BlockedReason)
                throw new InvalidState($"The item is already blocked (\"{item.BlockedReason}\"); add the new reason as a comment, or unblock it first.");
            if (c.Status == ItemStatus.WontDo && c.Reason?.Trim() is { Length: > 0 } dropped && dropped != item.WontDoReason)
                throw new InvalidState($"The item is already won't do (\"{item.WontDoReason}\"); add the new reason as a comment, or reopen it first.");
            return [];
        }

        var (by, at, id) = (caller.Id, ctx.Now, item.Id);
        return (item.Status, c.Status) switch
        {
            (ItemStatus.Done or ItemStatus.WontDo, ItemStatus.Open) => [new ActionItemReopened(id, Normalize(c.Reason), by, at)],
            (ItemStatus.Done or ItemStatus.WontDo, _) => throw new InvalidState(
                $"The item is {Describe(item.Status)}; reopen it before moving it to {Describe(c.Status)}."),
            (_, ItemStatus.Done) => [new ActionItemCompleted(id, Normalize(c.Resolution), by, at)],
            (_, ItemStatus.WontDo) => [new ActionItemCancelled(id, c.Reason!.Trim(), by, at)],
            (_, ItemStatus.Blocked) => [new ActionItemBlocked(id, c.Reason!.Trim(), by, at)],
            (ItemStatus.Blocked, _) => [new ActionItemUnblocked(id, c.Status, by, at)],
            (ItemStatus.Open, ItemStatus.InProgress) => [new ActionItemStarted(id, by, at)],
            (ItemStatus.InProgress, ItemStatus.Open) => [new ActionItemWorkStopped(id, by, at)],
            _ => throw new InvalidState($"An item cannot go from {Describe(item.Status)} to {Describe(c.Status)}."),
        };
    }

    private static IReadOnlyList<IActionItemEvent> EditDetails(ActionItem item, EditDetails c, DecisionContext ctx)
    {
        var errors = new Errors();
        if (c.Title is not null)
            errors.Required("title", c.Title, MaxTitle);
        errors.Optional("description", c.Description, MaxText, multiline: true);
        if (c.Priority is { } p && !Enum.IsDefined(p))
            errors.Add("priority", "Unknown priority.");
        var labels = c.Labels is null ? null : errors.Labels(c.Labels);
        errors.ThrowIfAny();

        var caller = ctx.Caller;
        if (!caller.IsAdmin && !caller.LeadsTeam(item.Team) && caller.Id != item.Owner)
            throw new NotPermitted("Only the owner, a lead of the team or an admin may edit the item.");
        if (item.IsTerminal)
            throw new InvalidState($"The item is {Describe(item.Status)}; reopen it before editing it.");

        var fields = new List<string>();
        var title = c.Title?.Trim();
        if (title is not null && title != item.Title)
            fields.Add("title");
        var description = c.Description is null ? item.Description : Normalize(c.Description);
        if (description != item.Description)
            fields.Add("description");
        if (c.Priority is { } priority && priority != item.Priority)
            fields.Add("priority");
        if (labels is not null && !labels.SequenceEqual(item.Labels))
            fields.Add("labels");
        if (fields.Count == 0)
            return [];
        return
        [
            new ActionItemDetailsChanged(item.Id, fields, fields.Contains("title") ? title : null,
                fields.Contains("description") ? description : null, fields.Contains("priority") ? c.Priority : null,
                fields.Contains("labels") ? labels : null, caller.Id, ctx.Now),
        ];
    }

    private static IReadOnlyList<IActionItemEvent> Assign(ActionItem item, AssignActionItem c, DecisionContext ctx)
    {
        var errors = new Errors();
        errors.UserId("owner", c.Owner);
        if (c.Team is not null)
            errors.Slug("team", c.Team);
        errors.ThrowIfAny();

        var caller = ctx.Caller;
        var leadOrAdmin = caller.IsAdmin || caller.LeadsTeam(item.Team);
        var team = c.Team ?? item.Team;
        if (!leadOrAdmin && caller.Id != item.Owner)
            throw new NotPermitted("Only the owner, a lead of the team or an admin may reassign the item.");
        if (!leadOrAdmin && team != item.Team)
            throw new NotPermitted("Only a lead of the team or an admin may move the item to another team.");
        if (item.IsTerminal)
            throw new InvalidState($"The item is {Describe(item.Status)}; reopen it before reassigning it.");

        var owner = c.Owner.Trim();
        if (owner == item.Owner && team == item.Team)
            return [];
        return [new ActionItemAssigned(item.Id, owner, team, item.Owner, item.Team, caller.Id, ctx.Now)];
    }

    private static IReadOnlyList<IActionItemEvent> ChangeDueDate(ActionItem item, ChangeDueDate c, DecisionContext ctx)
    {
        var errors = new Errors();
        errors.Required("reason", c.Reason, MaxReason, multiline: true);
        var dueAt = c.DueAt.In(ctx.Ladder.TimeZone);
        if (dueAt <= ctx.Now)
            errors.Add("dueAt", "The due date must be in the future.");
        errors.ThrowIfAny();

        var caller = ctx.Caller;
        var leadOrAdmin = caller.IsAdmin || caller.LeadsTeam(item.Team);
        if (!leadOrAdmin && caller.Id != item.Owner)
            throw new NotPermitted("Only the owner, a lead of the team or an admin may change the due date.");
        if (item.IsTerminal)
            throw new InvalidState($"The item is {Describe(item.Status)}; a finished item has no due date to change.");
        if (dueAt == item.DueAt)
            return [];

        var postponing = dueAt > item.DueAt;
        var ownerPostponement = postponing && !leadOrAdmin;
        if (ownerPostponement)
        {
            if (item.OwnerPostponements > 0)
                throw new NotPermitted("The owner may postpone an item only once; ask a lead of the team.");
            var latest = ctx.Policy.LatestOwnerDueDate(item.Priority, item.CreatedAt);
            if (dueAt > latest)
                throw new NotPermitted(
                    $"The owner may postpone a {item.Priority.ToString().ToLowerInvariant()} item to {latest:yyyy-MM-dd'T'HH:mm:ss'Z'} at the latest; ask a lead of the team.");
        }
        return [new ActionItemDueDateChanged(item.Id, dueAt, item.DueAt, c.Reason!.Trim(), ownerPostponement, caller.Id, ctx.Now)];
    }

    private static IReadOnlyList<IActionItemEvent> Comment(ActionItem item, AddComment c, DecisionContext ctx)
    {
        var errors = new Errors();
        errors.Required("text", c.Text, MaxText, multiline: true);
        errors.ThrowIfAny();

        var caller = ctx.Caller;
        if (!caller.IsAdmin && !caller.BelongsTo(item.Team) && caller.Id != item.Owner)
            throw new NotPermitted("Only members of the team, the owner and admins may comment.");
        return [new ActionItemCommented(item.Id, c.CommentId, c.Text.Trim(), caller.Id, ctx.Now)];
    }

    private static string? Normalize(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Describe(ItemStatus status) => status switch
    {
        ItemStatus.Open => "open",
        ItemStatus.InProgress => "in progress",
        ItemStatus.Blocked => "blocked",
        ItemStatus.Done => "done",
        ItemStatus.WontDo => "closed as won't do",
        _ => status.ToString(),
    };

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = [];

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list))
                _errors[field] = list = [];
            if (!list.Contains(message))
                list.Add(message);
        }

        public void Required(string field, string? value, int max, bool multiline = false)
        {
            if (string.IsNullOrWhiteSpace(value))
                Add(field, $"The {field} is required.");
            else
                Optional(field, value, max, multiline);
        }

        public void Optional(string field, string? value, int max, bool multiline = false)
        {
            if (value is null)
                return;
            if (value.Trim().Length > max)
                Add(field, $"The {field} has at most {max} characters.");
            if (Text.Problem(value.Trim(), multiline) is { } problem)
                Add(field, $"The {field} {problem}.");
        }

        /// <summary>Labels trimmed, duplicates dropped in their first order; each checked as a label.</summary>
        public string[] Labels(IEnumerable<string?> values)
        {
            var labels = values.Select(l => l?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToArray();
            if (labels.Length > MaxLabels)
                Add("labels", $"At most {MaxLabels} labels.");
            foreach (var label in labels)
                if (label.Length is 0 or > MaxLabel)
                    Add("labels", $"Each label has 1 to {MaxLabel} characters.");
                else if (Text.Problem(label) is { } problem)
                    Add("labels", $"A label {problem}.");
            return labels;
        }

        public void Slug(string field, string? value)
        {
            if (!Names.IsTeamSlug(value))
                Add(field, $"The {field} is a slug: {Names.SlugRule}.");
        }

        public void UserId(string field, string? value)
        {
            if (!Names.IsUserId(value?.Trim()))
                Add(field, $"The {field} is a user id: {Names.UserIdRule}.");
        }

        public void ThrowIfAny()
        {
            if (_errors.Count > 0)
                throw new InvalidCommand(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
