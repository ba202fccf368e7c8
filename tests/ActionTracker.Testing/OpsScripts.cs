using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ActionTracker.Testing;

/// <summary>Runs the repository's ops/ scripts (private PostgreSQL clusters, RabbitMQ nodes) from tests.</summary>
public static class OpsScripts
{
    /// <summary>The repository's root: the directory of ActionTracker.sln above the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ActionTracker.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static string Path(string script) => System.IO.Path.Combine(Root, "ops", script);

    public static Task<string> RunOps(string script, string arguments, params (string Name, string Value)[] environment) =>
        Run(Path(script), arguments, environment);

    /// <summary>Runs a program to its end; a non-zero exit throws with what it wrote to stderr.</summary>
    public static async Task<string> Run(string file, string arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {await errors}");
        return await output;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A real RabbitMQ node of the test's own (ops/rabbit, Debian's rabbitmq-server), which a test may
/// stop and start again; durable queues and persistent messages survive that.
/// </summary>
public sealed class RabbitBroker : IAsyncDisposable
{
    private string _dir = NewDir();
    private int _port = OpsScripts.FreePort();
    private bool _started;

    public string Uri => $"amqp://guest:guest@127.0.0.1:{_port}/";

    /// <summary>
    /// Starts the node; a restart keeps its port and data. The first start tries other ports if
    /// it fails: a free port can be taken by another process before the node binds it.
    /// </summary>
    public async Task Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await OpsScripts.RunOps("rabbit", $"start {_dir} {_port}");
                _started = true;
                return;
            }
            catch (InvalidOperationException) when (!_started && attempt < 3)
            {
                await Stop();
                if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
                (_dir, _port) = (NewDir(), OpsScripts.FreePort());
            }
        }
    }

    private static string NewDir() => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"at-rabbit-{Guid.NewGuid():N}");

    public Task Stop() => OpsScripts.RunOps("rabbit", $"stop {_dir}");

    public async ValueTask DisposeAsync()
    {
        await Stop();
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
