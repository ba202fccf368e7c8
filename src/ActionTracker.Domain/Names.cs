using System.Text.RegularExpressions;

namespace ActionTracker.Domain;

/// <summary>The shapes of team slugs and user ids, wherever they are accepted.</summary>
public static partial class Names
{
    public const string SlugRule = "1 to 63 lower-case letters, digits and dashes";
    public const string UserIdRule = "1 to 200 letters, digits and . _ @ + - | : characters";

    public static bool IsTeamSlug(string? value) => value is not null && SlugPattern().IsMatch(value);

    public static bool IsUserId(string? value) => value is not null && UserIdPattern().IsMatch(value);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@+\-|:]{0,199}$")]
    private static partial Regex UserIdPattern();
}
