namespace ActionTracker.Domain;

/// <summary>Who is acting: the user or service behind a command, as the token describes it.</summary>
public sealed record Caller(string Id, IReadOnlySet<string> Teams, IReadOnlySet<string> Roles)
{
    public const string MemberRole = "member";
    public const string LeadRole = "lead";
    public const string AdminRole = "admin";
    public const string ServiceRole = "service";

    public bool IsAdmin => Roles.Contains(AdminRole);
    public bool IsService => Roles.Contains(ServiceRole);

    /// <summary>A lead leads every team listed in its team claims.</summary>
    public bool LeadsTeam(string team) => Roles.Contains(LeadRole) && Teams.Contains(team);

    public bool BelongsTo(string team) => Teams.Contains(team);

    public static Caller Create(string id, IEnumerable<string> teams, IEnumerable<string> roles) =>
        new(id, new HashSet<string>(teams, StringComparer.Ordinal), new HashSet<string>(roles, StringComparer.Ordinal));
}
