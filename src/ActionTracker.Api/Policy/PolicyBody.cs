using System.Text.Json;
using System.Xml;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Domain.ActionItems;

namespace ActionTracker.Api.Policy;

/// <summary>
/// Reads a team's policy body (the Policy resource of API.md, any part of it) into overrides.
/// A <c>PUT</c> replaces the overrides: the fields it names, the rest the organisation's. A
/// <c>PATCH</c> changes the fields it names over the current ones; <c>null</c> removes an
/// override. Read field by field from the JSON, since a field sent as <c>null</c> means something
/// other than one left out; every problem is named by its field.
/// </summary>
public static class PolicyBody
{
    private static readonly string[] Fields = ["dueIn", "remindBefore", "ladder", "quietPeriod", "skipWeekends", "pauseWhileBlocked"];

    public static PolicyOverrides Read(JsonElement body, PolicyOverrides current, bool merge)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.ValueKind != JsonValueKind.Object)
            throw new InvalidRequest("body", "The policy is a JSON object: dueIn, remindBefore, ladder, quietPeriod, skipWeekends, pauseWhileBlocked.");
        var result = merge ? current : PolicyOverrides.None;
        foreach (var field in body.EnumerateObject())
        {
            var value = field.Value;
            var removed = value.ValueKind == JsonValueKind.Null;
            switch (field.Name)
            {
                case "dueIn":
                    result = result with { DueIn = removed ? DueInOverrides.None : DueIn(value, merge ? result.DueIn : DueInOverrides.None, errors) };
                    break;
                case "remindBefore":
                    result = result with { RemindBefore = removed ? null : Duration(value, "remindBefore", errors) };
                    break;
                case "quietPeriod":
                    result = result with { QuietPeriod = removed ? null : Duration(value, "quietPeriod", errors) };
                    break;
                case "ladder":
                    result = result with { Ladder = removed ? null : Ladder(value, errors) };
                    break;
                case "skipWeekends":
                    result = result with { SkipWeekends = removed ? null : Flag(value, "skipWeekends", errors) };
                    break;
                case "pauseWhileBlocked":
                    result = result with { PauseWhileBlocked = removed ? null : Flag(value, "pauseWhileBlocked", errors) };
                    break;
                default:
                    errors[field.Name] = [$"Unknown field: a policy has {string.Join(", ", Fields)}."];
                    break;
            }
        }
        if (errors.Count > 0)
            throw new InvalidRequest(errors, "The policy has invalid fields.");
        return result;
    }

    private static DueInOverrides DueIn(JsonElement value, DueInOverrides start, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors["dueIn"] = ["dueIn is an object of durations per priority: {\"critical\": \"P3D\"}."];
            return start;
        }
        var dueIn = start;
        foreach (var entry in value.EnumerateObject())
        {
            var field = "dueIn." + entry.Name;
            if (!Wire.TryParsePriority(entry.Name, out var priority))
                errors[field] = ["Unknown priority: critical, high, medium or low."];
            else
                dueIn = dueIn.With(priority, entry.Value.ValueKind == JsonValueKind.Null ? null : Duration(entry.Value, field, errors));
        }
        return dueIn;
    }

    private static List<LadderStep>? Ladder(JsonElement value, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors["ladder"] = ["The ladder is a list of steps: [{\"after\": \"PT0S\", \"notify\": [\"owner\"]}, ...]."];
            return null;
        }
        var steps = new List<LadderStep>();
        var i = 0;
        foreach (var step in value.EnumerateArray())
        {
            var at = $"ladder[{i++}]";
            if (step.ValueKind != JsonValueKind.Object)
            {
                errors[at] = ["A step is an object: {\"after\": \"P3D\", \"notify\": [\"leads\"]}."];
                continue;
            }
            TimeSpan? after = null;
            var notify = new List<string>();
            foreach (var part in step.EnumerateObject())
            {
                switch (part.Name)
                {
                    case "after":
                        after = Duration(part.Value, at + ".after", errors);
                        break;
                    case "notify" when part.Value.ValueKind == JsonValueKind.Array && part.Value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String):
                        notify.AddRange(part.Value.EnumerateArray().Select(t => t.GetString()!));
                        break;
                    case "notify":
                        errors[at + ".notify"] = ["notify is a list of targets: owner, leads, escalationContact, admins, person:<sub>."];
                        break;
                    default:
                        errors[$"{at}.{part.Name}"] = ["Unknown field: a step has after and notify."];
                        break;
                }
            }
            if (after is null && !errors.ContainsKey(at + ".after"))
                errors[at + ".after"] = ["Each step says when it is taken after the due date: an ISO 8601 duration (PT0S for the first)."];
            steps.Add(new LadderStep(after ?? TimeSpan.Zero, notify));
        }
        return steps;
    }

    private static TimeSpan? Duration(JsonElement value, string field, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            try
            {
                return XmlConvert.ToTimeSpan(text);
            }
            catch (FormatException)
            {
            }
            catch (OverflowException)
            {
            }
        }
        errors[field] = ["An ISO 8601 duration such as P3D, PT12H or PT0S."];
        return null;
    }

    private static bool? Flag(JsonElement value, string field, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        errors[field] = ["true or false."];
        return null;
    }
}
