using System.Net;

namespace ActionTracker.Api.Tests;

/// <summary>What the service does not understand is refused and named, never silently ignored.</summary>
public sealed class RefusingUnknownInput(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly Cast _cast = new(api);

    [Fact]
    public async Task a_misspelt_query_parameter_is_a_400_naming_it_instead_of_every_item()
    {
        var response = await _cast.Alice.GetAsync("/api/action-items?teem=platform&limit=5");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("teem", out var teem));
        Assert.Contains("team", teem[0].GetString());
        Assert.False(errors.TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task a_known_parameter_in_any_case_is_accepted() =>
        Assert.Equal(HttpStatusCode.OK, (await _cast.Alice.GetAsync("/api/action-items?Team=platform")).StatusCode);

    [Fact]
    public async Task an_unknown_json_field_is_a_400_naming_it_and_nothing_is_created()
    {
        var items = await api.ItemCount();

        var response = await _cast.Alice.Post("/api/action-items", new { title = "Pin the deployment controller version", team = "platform", owner = "alice", status = "done" });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _), problem.ToString());
        Assert.Equal(items, await api.ItemCount());
    }

    [Fact]
    public async Task an_unknown_nested_json_field_is_named_with_its_path()
    {
        var response = await _cast.Alice.Post("/api/action-items",
            new { title = "Pin the deployment controller version", team = "platform", owner = "alice", source = new { kind = "postmortem", reff = "pm-1" } });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("source.reff", out _), problem.ToString());
    }
}
