namespace ActionTracker.Api.Infrastructure;

public static class EndpointConventions
{
    /// <summary>Declares the problem responses a group of endpoints can give, for the OpenAPI document.</summary>
    public static RouteGroupBuilder ProducesProblems(this RouteGroupBuilder group, params int[] statuses)
    {
        foreach (var status in statuses)
            group.ProducesProblem(status);
        return group;
    }
}
