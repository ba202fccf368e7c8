using System.Text;

namespace ActionTracker.EventStore;

/// <summary>
/// Maps event classes to the names stored in the <c>type</c> column and back. Stored names
/// outlive class names: renaming a class must keep its registered name.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, string> _names = [];
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    public EventTypeRegistry Register(Type type, string? name = null)
    {
        name ??= SnakeCase(type.Name);
        if (_types.TryGetValue(name, out var existing) && existing != type)
            throw new InvalidOperationException($"Event name '{name}' is taken by {existing.Name}.");
        _names[type] = name;
        _types[name] = type;
        return this;
    }

    public EventTypeRegistry Register(IEnumerable<Type> types)
    {
        foreach (var type in types)
            Register(type);
        return this;
    }

    public string NameOf(Type type) =>
        _names.TryGetValue(type, out var name)
            ? name
            : throw new InvalidOperationException($"Event type {type.Name} is not registered.");

    public Type? TypeOf(string name) => _types.GetValueOrDefault(name);

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
