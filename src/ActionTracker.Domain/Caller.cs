namespace ActionTracker.Domain;

/// <summary>Who is acting: the user or service behind a command, as the token describes it.</summary>
public sealed record Caller(string Id, IReadOnlySet<string> Teams, IReadOnlySet<string> Roles)
{
    public const string MemberRole = "member";
    public const string LeadRole = "lead";
    public const string AdminRole = "admin";
    public const string ServiceRole = "service";

    private static readonly IReadOnlyDictionary<string, IReadOnlyCollection<string>> NoneListed =
        new Dictionary<string, IReadOnlyCollection<string>>();

    /// <summary>
    /// Registered teams whose leads list was looked up for this request: team → its leads. Filled
    /// by the service before it decides (<see cref="WithListedLeads"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> ListedLeads { get; init; } = NoneListed;

    public bool IsAdmin => Roles.Contains(AdminRole);
    public bool IsService => Roles.Contains(ServiceRole);

    /// <summary>
    /// Once a team is registered with leads, its list decides who leads it (a lead role alone no
    /// longer does); before that, a lead role with the team among the caller's teams does.
    /// </summary>
    public bool LeadsTeam(string team) =>
        ListedLeads.TryGetValue(team, out var leads) ? leads.Contains(Id, StringComparer.Ordinal) : Roles.Contains(LeadRole) && Teams.Contains(team);

    /// <summary>
    /// Who leads the team, for a refusal to say (null when its leads are not listed): a caller with
    /// a lead role that the list leaves out learns why the role alone was not enough.
    /// </summary>
    public string? WhoLeads(string team)
    {
        if (!ListedLeads.TryGetValue(team, out var leads))
            return null;
        var who = $"Team '{team}' is led by {string.Join(", ", leads.Order(StringComparer.Ordinal))}";
        return Roles.Contains(LeadRole) && Teams.Contains(team) && !leads.Contains(Id, StringComparer.Ordinal)
            ? $"{who}: once a team lists its leads, a lead role alone does not lead it."
            : $"{who}.";
    }

    public bool BelongsTo(string team) => Teams.Contains(team);

    /// <summary>This caller, knowing the leads lists of the given registered teams.</summary>
    public Caller WithListedLeads(IEnumerable<(string Team, IReadOnlyCollection<string> Leads)> registered)
    {
        var listed = new Dictionary<string, IReadOnlyCollection<string>>(ListedLeads, StringComparer.Ordinal);
        foreach (var (team, leads) in registered)
            listed[team] = leads;
        return this with { ListedLeads = listed };
    }

    public static Caller Create(string id, IEnumerable<string> teams, IEnumerable<string> roles) =>
        new(id, new HashSet<string>(teams, StringComparer.Ordinal), new HashSet<string>(roles, StringComparer.Ordinal));
}
