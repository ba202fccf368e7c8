namespace ActionTracker.Domain;

/// <summary>Who is acting: the user or service behind a command, as the token describes it.</summary>
public sealed record Caller(string Id, IReadOnlySet<string> Teams, IReadOnlySet<string> Roles)
{
    public const string MemberRole = "member";
    public const string LeadRole = "lead";
    public const string AdminRole = "admin";
    public const string ServiceRole = "service";

    private static readonly IReadOnlyDictionary<string, bool> NoneListed = new Dictionary<string, bool>();

    /// <summary>
    /// Registered teams whose leads list was looked up for this request: team → whether this
    /// caller is on the list. Filled by the service before it decides (<see cref="WithListedLeads"/>).
    /// </summary>
    public IReadOnlyDictionary<string, bool> ListedLeads { get; init; } = NoneListed;

    public bool IsAdmin => Roles.Contains(AdminRole);
    public bool IsService => Roles.Contains(ServiceRole);

    /// <summary>
    /// Once a team is registered with leads, its list decides who leads it (a lead role alone no
    /// longer does); before that, a lead role with the team among the caller's teams does.
    /// </summary>
    public bool LeadsTeam(string team) =>
        ListedLeads.TryGetValue(team, out var listed) ? listed : Roles.Contains(LeadRole) && Teams.Contains(team);

    public bool BelongsTo(string team) => Teams.Contains(team);

    /// <summary>This caller, knowing the leads lists of the given registered teams.</summary>
    public Caller WithListedLeads(IEnumerable<(string Team, IReadOnlyCollection<string> Leads)> registered)
    {
        var listed = new Dictionary<string, bool>(ListedLeads, StringComparer.Ordinal);
        foreach (var (team, leads) in registered)
            listed[team] = leads.Contains(Id, StringComparer.Ordinal);
        return this with { ListedLeads = listed };
    }

    public static Caller Create(string id, IEnumerable<string> teams, IEnumerable<string> roles) =>
        new(id, new HashSet<string>(teams, StringComparer.Ordinal), new HashSet<string>(roles, StringComparer.Ordinal));
}
