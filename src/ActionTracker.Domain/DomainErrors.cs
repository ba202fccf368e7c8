namespace ActionTracker.Domain;

/// <summary>
/// A command the domain refuses. The API maps each kind to one status code in one place,
/// so handlers never pick codes themselves.
/// </summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>The caller is known but the ownership rules do not let them do this (403).</summary>
public sealed class NotPermitted(string message) : DomainException(message);

/// <summary>The command does not fit the item's current state (409).</summary>
public sealed class InvalidState(string message) : DomainException(message);

/// <summary>The command itself is malformed: a field is missing, too long or out of range (400).</summary>
public sealed class InvalidCommand : DomainException
{
    public InvalidCommand(IReadOnlyDictionary<string, string[]> errors)
        : base("The command has invalid fields.") => Errors = errors;

    public InvalidCommand(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] }) { }

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
