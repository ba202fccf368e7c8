using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActionTracker.Domain.Tests;

/// <summary>
/// Given(events) / When(command) / Then(events or error) for the action item decider.
/// Events are compared as type name plus JSON, because records compare their label lists by reference.
/// </summary>
public sealed class Spec
{
    /// <summary>The instant every spec runs at unless it says otherwise.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly IReadOnlyList<IActionItemEvent> _history;

    private Spec(IReadOnlyList<IActionItemEvent> history) => _history = history;

    public static Spec Given(params IActionItemEvent[] history) => new(history);

    /// <summary>No history: the item does not exist yet.</summary>
    public static Spec GivenNoItem() => new([]);

    /// <param name="ladder">The reminder and escalation ladder; <see cref="EscalationPolicy.Default"/> when null.</param>
    /// <param name="audience">Who the ladder's targets name for the item's team; nobody (so the owner) when null.</param>
    public Outcome When(ActionItemCommand command, Caller by, DateTimeOffset? at = null, DueDatePolicy? policy = null, EscalationPolicy? ladder = null,
        Audience? audience = null)
    {
        var state = ActionItem.Fold(_history);
        var context = new DecisionContext(by, at ?? Now, policy ?? DueDatePolicy.Default, ladder, audience);
        try
        {
            return new Outcome(_history, ActionItemDecider.Decide(state, command, context), null);
        }
        catch (Exception e)
        {
            return new Outcome(_history, null, e);
        }
    }

    public static string Describe(IActionItemEvent e) => $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType(), Json)}";

    public static string Describe(IEnumerable<IActionItemEvent> events)
    {
        var lines = events.Select(Describe).ToList();
        return lines.Count == 0 ? "(no events)" : string.Join(Environment.NewLine, lines);
    }

    public sealed class Outcome
    {
        private readonly IReadOnlyList<IActionItemEvent> _history;
        private readonly IReadOnlyList<IActionItemEvent>? _events;
        private readonly Exception? _error;

        internal Outcome(IReadOnlyList<IActionItemEvent> history, IReadOnlyList<IActionItemEvent>? events, Exception? error)
        {
            _history = history;
            _events = events;
            _error = error;
        }

        /// <summary>The decider emits exactly these events; returns the state they lead to.</summary>
        public ActionItem Then(params IActionItemEvent[] expected)
        {
            var events = Events("the events " + Describe(expected));
            var (want, got) = (Describe(expected), Describe(events));
            if (want != got)
                Assert.Fail($"Expected:{Environment.NewLine}{want}{Environment.NewLine}Actual:{Environment.NewLine}{got}");
            return ActionItem.Fold(_history.Concat(events))!;
        }

        /// <summary>The command is accepted and changes nothing: no events.</summary>
        public void ThenNothing()
        {
            var events = Events("no events");
            if (events.Count > 0)
                Assert.Fail($"Expected no events but got:{Environment.NewLine}{Describe(events)}");
        }

        /// <summary>The command is accepted with at least one event (for the permission matrix).</summary>
        public IReadOnlyList<IActionItemEvent> ThenSomeEvents()
        {
            var events = Events("some events");
            if (events.Count == 0)
                Assert.Fail("Expected some events but got none.");
            return events;
        }

        /// <summary>403.</summary>
        public NotPermitted ThenForbidden() => Error<NotPermitted>();

        /// <summary>409.</summary>
        public InvalidState ThenConflict() => Error<InvalidState>();

        /// <summary>400, with errors for exactly these fields.</summary>
        public InvalidCommand ThenInvalid(params string[] fields)
        {
            var error = Error<InvalidCommand>();
            var (want, got) = (string.Join(", ", fields.Order(StringComparer.Ordinal)), string.Join(", ", error.Errors.Keys.Order(StringComparer.Ordinal)));
            if (want != got)
                Assert.Fail($"Expected errors for [{want}] but got errors for [{got}]: {string.Join("; ", error.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
            Assert.All(error.Errors.Values, messages => Assert.NotEmpty(messages));
            return error;
        }

        private IReadOnlyList<IActionItemEvent> Events(string expected)
        {
            if (_error is not null)
                Assert.Fail($"Expected {expected} but the decider threw {_error.GetType().Name}: {_error.Message}");
            return _events!;
        }

        private T Error<T>() where T : Exception
        {
            if (_error is null)
                Assert.Fail($"Expected {typeof(T).Name} but the decider returned:{Environment.NewLine}{Describe(_events!)}");
            if (_error is not T error)
            {
                Assert.Fail($"Expected {typeof(T).Name} but the decider threw {_error.GetType().Name}: {_error.Message}");
                throw new InvalidOperationException("unreachable");
            }
            return error;
        }
    }
}
