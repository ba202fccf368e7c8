using System.Diagnostics;
using ActionTracker.EventStore.Projections;
using ActionTracker.EventStore.Schema;
using Npgsql;

namespace ActionTracker.Api.Operations;

/// <summary>
/// <c>ActionTracker.Api rebuild-projections [name...]</c>: rebuilds async projections from the
/// events with a progress bar. When a running service holds a projection, the rebuild is handed
/// to it and this command follows its progress.
/// </summary>
public static class RebuildCommand
{
    public static bool Matches(string[] args) => args is ["rebuild-projections", ..];

    public static async Task<int> Run(IServiceProvider services, string[] args, CancellationToken ct = default)
    {
        await services.GetRequiredService<SchemaMigrator>().Migrate(ct);
        var daemon = services.GetRequiredService<ProjectionDaemon>();
        var db = services.GetRequiredService<NpgsqlDataSource>();
        var time = services.GetRequiredService<TimeProvider>();
        var names = args.Length > 1 ? args[1..] : daemon.Names.ToArray();
        foreach (var name in names.Where(n => !daemon.Names.Contains(n)))
        {
            Console.Error.WriteLine($"rebuild-projections: unknown projection '{name}'; known: {string.Join(", ", daemon.Names)}");
            return 2;
        }

        foreach (var name in names)
        {
            var clock = Stopwatch.StartNew();
            await using var runner = daemon.CreateRunner(name);
            if (await runner.TryLead(ct))
            {
                await runner.Rebuild(new Bar(name, clock), ct);
                await runner.CatchUp(ct);
            }
            else
            {
                var requested = time.GetUtcNow();
                await ProjectionRunner.RequestRebuild(db, name, requested, ct);
                Console.Error.WriteLine($"{name}: a running service holds this projection; it will rebuild it.");
                var bar = new Bar(name, clock);
                while (await runner.Status(ct) is { } status && !(status.RebuiltAt >= requested))
                {
                    if (status.RebuildDone is { } done && status.RebuildTotal is { } total)
                        bar.Report((done, total));
                    await Task.Delay(250, ct);
                }
            }
            var final = await runner.Status(ct);
            Console.Error.WriteLine();
            Console.Out.WriteLine(
                $"{name}: rebuilt from {final?.RebuildDone ?? 0} events in {clock.Elapsed.TotalSeconds:F1} s " +
                $"({(final?.RebuildDone ?? 0) / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0} events/s)");
        }
        return 0;
    }

    private sealed class Bar(string name, Stopwatch clock) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value)
        {
            const int width = 30;
            var share = value.Total == 0 ? 1 : Math.Clamp((double)value.Done / value.Total, 0, 1);
            var filled = (int)(share * width);
            var rate = value.Done / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            Console.Error.Write($"\r{name} [{new string('#', filled)}{new string('.', width - filled)}] {share:P0} {value.Done}/{value.Total} events, {rate:F0}/s   ");
        }
    }
}
