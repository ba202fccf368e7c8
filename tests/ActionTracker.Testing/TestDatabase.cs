using Xunit;
using Npgsql;

namespace ActionTracker.Testing;

/// <summary>
/// A fresh, empty database on the throwaway PostgreSQL cluster that <c>ops/test</c> starts (its
/// connection string comes in ACTIONTRACKER_TEST_CONNECTION). One per test class, dropped after.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public const string ServerVariable = "ACTIONTRACKER_TEST_CONNECTION";

    private readonly string _name = $"t_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    private static string Server =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"{ServerVariable} is not set. Run the suite with ops/test, which starts a throwaway PostgreSQL cluster, " +
                "or point it at a server where this user may create databases.");

    public async ValueTask InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {_name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _name, MaxPoolSize = 120 }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {_name} with (force)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<T> Scalar<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task Execute(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
