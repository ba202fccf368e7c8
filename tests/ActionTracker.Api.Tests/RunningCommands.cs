using System.Diagnostics;

namespace ActionTracker.Api.Tests;

/// <summary>The service's commands as an operator runs them: the built program, a process of its own.</summary>
public sealed class RunningCommands
{
    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ActionTracker.Api.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        // Nothing from the test run's environment may supply a connection.
        start.Environment.Remove("ConnectionStrings__ActionTracker");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    [Fact]
    public async Task rebuild_projections_without_a_connection_string_says_so_in_one_line_and_exits_non_zero()
    {
        var (exit, _, err) = await Run("rebuild-projections");

        Assert.Equal(2, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ConnectionStrings:ActionTracker is not set", line);
    }
}
