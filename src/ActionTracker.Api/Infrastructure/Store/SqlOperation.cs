using System.Text.RegularExpressions;
using Marten.Internal.Operations;
using Npgsql;
using Weasel.Core;
using Weasel.Storage;

namespace ActionTracker.Api.Infrastructure.Store;

/// <summary>
/// A statement of ours (an idempotency record, a scheduled message, a notification) that Marten
/// sends in the same batch and transaction as a session's events. SQL uses positional parameters
/// ($1, $2, ...), as everywhere else in the service.
/// </summary>
public sealed partial class SqlOperation(string sql, object?[] parameters) : Marten.Internal.Operations.IStorageOperation, NoDataReturnedCall
{
    // What Marten's own raw SQL operations report: not a document type, so no document storage is looked up.
    public Type DocumentType => typeof(Marten.Storage.StorageFeatures);

    public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, IStorageSession session)
    {
        var postgres = builder;
        var at = 0;
        foreach (Match m in Placeholder().Matches(sql))
        {
            postgres.Append(sql[at..m.Index]);
            var value = parameters[int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) - 1];
            // A null goes into the text as NULL, whose type PostgreSQL takes from the statement:
            // Npgsql refuses an untyped null parameter in Marten's batches.
            if (value is null or DBNull or NpgsqlParameter { Value: null or DBNull })
            {
                postgres.Append("NULL");
                at = m.Index + m.Length;
                continue;
            }
            _ = value switch
            {
                NpgsqlParameter p when p.NpgsqlDbType != NpgsqlTypes.NpgsqlDbType.Unknown => postgres.AppendParameter(p.Value!, p.NpgsqlDbType),
                NpgsqlParameter p => postgres.AppendParameter(p.Value!),
                _ => postgres.AppendParameter(value),
            };
            at = m.Index + m.Length;
        }
        postgres.Append(sql[at..]);
    }

    public Task PostprocessAsync(System.Data.Common.DbDataReader reader, IList<Exception> exceptions, CancellationToken token) =>
        Task.CompletedTask;

    public OperationRole Role() => OperationRole.Other;

    // NoDataReturnedCall: the statement returns no rows, so Marten reads no result set for it.

    [GeneratedRegex(@"\$(\d+)")]
    private static partial Regex Placeholder();
}
