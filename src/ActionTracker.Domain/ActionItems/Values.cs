namespace ActionTracker.Domain.ActionItems;

public enum Priority { Critical, High, Medium, Low }

public enum ItemStatus { Open, InProgress, Blocked, Done, WontDo }

/// <summary>Where an item came from, e.g. the postmortem it was written in.</summary>
public sealed record ItemSource(string Kind, string? Ref, string? Title);

public static class ItemStatusExtensions
{
    public static bool IsTerminal(this ItemStatus status) => status is ItemStatus.Done or ItemStatus.WontDo;

    /// <summary>The statuses of an item still to be worked on.</summary>
    public static IReadOnlyList<ItemStatus> Open { get; } = Enum.GetValues<ItemStatus>().Where(s => !s.IsTerminal()).ToArray();
}
