using System.Text.Json.Serialization;

namespace ActionTracker.Api.ActionItems.Edit;

/// <summary>
/// The details to change: a field left out stays as it is. <c>null</c> or an empty string clears
/// the description; <c>null</c> or <c>[]</c> removes every label; title and priority cannot be
/// cleared, so a <c>null</c> for them is a 400 naming the field.
/// </summary>
/// <remarks>
/// Properties with setters rather than a positional record: the JSON reader calls a setter only
/// for a field the body names, which is how a field sent as <c>null</c> is told from one left out.
/// </remarks>
public sealed record EditActionItemRequest
{
    private readonly string? _title;
    private readonly string? _description;
    private readonly string? _priority;
    private readonly string[]? _labels;

    public string? Title { get => _title; init => (_title, TitleSent) = (value, true); }

    public string? Description { get => _description; init => (_description, DescriptionSent) = (value, true); }

    public string? Priority { get => _priority; init => (_priority, PrioritySent) = (value, true); }

    public string[]? Labels { get => _labels; init => (_labels, LabelsSent) = (value, true); }

    [JsonIgnore] public bool TitleSent { get; private init; }

    [JsonIgnore] public bool DescriptionSent { get; private init; }

    [JsonIgnore] public bool PrioritySent { get; private init; }

    [JsonIgnore] public bool LabelsSent { get; private init; }
}
