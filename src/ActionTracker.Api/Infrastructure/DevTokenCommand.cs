using ActionTracker.Api.Infrastructure.Auth;

namespace ActionTracker.Api.Infrastructure;

/// <summary>
/// <c>ActionTracker.Api token --sub alice --team platform --role lead</c> prints a development
/// token signed with Auth:SigningKey; --team and --role may repeat.
/// </summary>
public static class DevTokenCommand
{
    public static bool Matches(string[] args) => args is ["token", ..];

    public static int Run(IConfiguration configuration, string[] args)
    {
        string? sub = null, name = null;
        List<string> teams = [], roles = [];
        var hours = 12.0;
        for (var i = 1; i < args.Length - 1; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--sub": sub = value; break;
                case "--name": name = value; break;
                case "--team": teams.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--role": roles.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--hours": hours = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: return Usage($"unknown option {args[i]}");
            }
        }
        if (sub is null)
            return Usage("--sub is required");
        if (roles.Count == 0)
            roles.Add("member");

        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        Console.Out.WriteLine(DevTokens.Create(options, sub, teams, roles, DateTimeOffset.UtcNow, TimeSpan.FromHours(hours), name));
        return 0;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"token: {problem}");
        Console.Error.WriteLine("usage: token --sub ID [--name NAME] [--team SLUG]... [--role member|lead|admin|service]... [--hours 12]");
        return 2;
    }
}
