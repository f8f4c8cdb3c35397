using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Insert-or-ignore and retention for utilisation samples, in each provider's own SQL: <c>ON CONFLICT DO NOTHING</c> on
/// SQLite and PostgreSQL, and on SQL Server an insert of the rows no key-range-locked read finds (<c>UPDLOCK, HOLDLOCK</c>),
/// which SQL Server holds to the end of the statement so a concurrent writer of the same slot waits, then skips it.
/// Column names and value conversions come from the EF model, as in <see cref="BulkInsert"/>.
/// </summary>
internal sealed class UtilisationStore(PortalDbContext db) : IUtilisationStore
{
    private const int MaxParameters = 2_000;

    private static readonly string[] Columns =
    [
        nameof(UtilisationSample.SubjectId), nameof(UtilisationSample.ResolutionSeconds), nameof(UtilisationSample.SlotStart),
        nameof(UtilisationSample.CpuUsedMhz), nameof(UtilisationSample.CpuCapacityMhz), nameof(UtilisationSample.MemoryUsedMb),
        nameof(UtilisationSample.MemoryCapacityMb), nameof(UtilisationSample.CpuReadyPercent), nameof(UtilisationSample.DiskReadBytesPerSecond),
        nameof(UtilisationSample.DiskWriteBytesPerSecond), nameof(UtilisationSample.NetworkReceiveBytesPerSecond),
        nameof(UtilisationSample.NetworkTransmitBytesPerSecond), nameof(UtilisationSample.SampleCount),
    ];

    private static readonly Func<UtilisationSample, object?>[] Values =
    [
        s => s.SubjectId, s => s.ResolutionSeconds, s => s.SlotStart, s => s.CpuUsedMhz, s => s.CpuCapacityMhz, s => s.MemoryUsedMb,
        s => s.MemoryCapacityMb, s => s.CpuReadyPercent, s => s.DiskReadBytesPerSecond, s => s.DiskWriteBytesPerSecond,
        s => s.NetworkReceiveBytesPerSecond, s => s.NetworkTransmitBytesPerSecond, s => s.SampleCount,
    ];

    public async Task<int> AddNewAsync(IReadOnlyCollection<UtilisationSample> samples, CancellationToken ct)
    {
        if (samples.Count == 0) return 0;
        // Duplicates within one call would trip SQL Server's statement; key order makes concurrent writers lock rows in the
        // same order on PostgreSQL, so two nodes inserting the same slots wait for each other rather than deadlock.
        var rows = samples.DistinctBy(s => (s.SubjectId, s.ResolutionSeconds, s.SlotStart))
            .OrderBy(s => s.SubjectId).ThenBy(s => s.ResolutionSeconds).ThenBy(s => s.SlotStart).ToList();
        var model = Model();
        var perStatement = db.Database.IsSqlite() ? 1 : Math.Max(1, MaxParameters / Columns.Length);
        var added = 0;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        // One transaction: on SQLite a transaction per row would cost a journal sync each.
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        DbCommand? command = null;
        try
        {
            foreach (var chunk in rows.Chunk(perStatement))
            {
                if (command is null || command.Parameters.Count != chunk.Length * Columns.Length)
                {
                    if (command is not null) await command.DisposeAsync();
                    command = connection.CreateCommand();
                    command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                    command.CommandText = InsertSql(model, chunk.Length);
                }

                command.Parameters.Clear();
                var index = 0;
                foreach (var row in chunk)
                    for (var c = 0; c < Columns.Length; c++)
                        command.Parameters.Add(model.Mappings[c].CreateParameter(command, model.Sql.GenerateParameterName("p" + index++), Values[c](row), model.Nullable[c]));
                added += await command.ExecuteNonQueryAsync(ct);
            }

            if (own is not null) await own.CommitAsync(ct);
            return added;
        }
        finally
        {
            if (command is not null) await command.DisposeAsync();
            if (own is not null) await own.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<UtilisationRetention> ApplyRetentionAsync(long rawBefore, long hourlyBefore, CancellationToken ct)
    {
        var m = Model();
        string C(string name) => m.Column[name];
        var table = m.Table;
        var hourly = UtilisationSample.HourlySeconds;
        var raw = UtilisationSample.RawSeconds;
        var provider = Provider();
        string IntAvg(string column) => provider switch
        {
            DatabaseProvider.SqlServer => $"CAST(ROUND(AVG(CAST({column} AS float)), 0) AS int)",
            DatabaseProvider.PostgreSql => $"CAST(ROUND(AVG({column})) AS integer)",
            _ => $"CAST(ROUND(AVG({column})) AS INTEGER)",
        };
        var hourOf = $"({C("SlotStart")} / {hourly}) * {hourly}";
        var averaged = string.Join(", ", Columns.Select(c => c switch
        {
            nameof(UtilisationSample.SubjectId) => C(c),
            nameof(UtilisationSample.ResolutionSeconds) => hourly.ToString(),
            nameof(UtilisationSample.SlotStart) => hourOf,
            nameof(UtilisationSample.MemoryUsedMb) or nameof(UtilisationSample.MemoryCapacityMb) => IntAvg(C(c)),
            nameof(UtilisationSample.SampleCount) => $"CAST(SUM({C(c)}) AS smallint)",
            _ => $"AVG({C(c)})",
        }));
        var columns = string.Join(", ", Columns.Select(C));
        var select = $"SELECT {averaged} FROM {table} WHERE {C("ResolutionSeconds")} = {raw} AND {C("SlotStart")} < {rawBefore} GROUP BY {C("SubjectId")}, {hourOf}";
        // An hour another node (or an earlier, interrupted pass) already folded keeps its row: the key decides, as for collection.
        var fold = provider == DatabaseProvider.SqlServer
            ? $"INSERT INTO {table} ({columns}) SELECT f.* FROM ({select}) AS f ({columns}) WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WITH (UPDLOCK, HOLDLOCK) " +
              $"WHERE t.{C("SubjectId")} = f.{C("SubjectId")} AND t.{C("ResolutionSeconds")} = {hourly} AND t.{C("SlotStart")} = f.{C("SlotStart")})"
            : $"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING";
        var deleteRaw = $"DELETE FROM {table} WHERE {C("ResolutionSeconds")} = {raw} AND {C("SlotStart")} < {rawBefore}";
        var deleteHourly = $"DELETE FROM {table} WHERE {C("ResolutionSeconds")} = {hourly} AND {C("SlotStart")} < {hourlyBefore}";

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Two nodes' passes take turns: the second then finds nothing left to fold. (SQLite has one writer at a time anyway.)
        switch (provider)
        {
            case DatabaseProvider.PostgreSql:
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7415001)", ct);
                break;
            case DatabaseProvider.SqlServer:
                await db.Database.ExecuteSqlRawAsync("EXEC sp_getapplock @Resource = 'utilisation-retention', @LockMode = 'Exclusive', @LockOwner = 'Transaction'", ct);
                break;
        }

        var added = await db.Database.ExecuteSqlRawAsync(fold, ct);
        var rawDeleted = await db.Database.ExecuteSqlRawAsync(deleteRaw, ct);
        var hourlyDeleted = await db.Database.ExecuteSqlRawAsync(deleteHourly, ct);
        await transaction.CommitAsync(ct);
        return new UtilisationRetention(added, rawDeleted, hourlyDeleted);
    }

    private DatabaseProvider Provider() =>
        db.Database.IsSqlite() ? DatabaseProvider.Sqlite : db.Database.IsNpgsql() ? DatabaseProvider.PostgreSql : DatabaseProvider.SqlServer;

    private sealed record ModelInfo(string Table, Dictionary<string, string> Column, RelationalTypeMapping[] Mappings, bool[] Nullable, ISqlGenerationHelper Sql);

    private ModelInfo Model()
    {
        var entity = db.Model.FindEntityType(typeof(UtilisationSample))!;
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = Columns.Select(c => entity.FindProperty(c)!).ToArray();
        return new ModelInfo(
            sql.DelimitIdentifier(store.Name, store.Schema),
            properties.ToDictionary(p => p.Name, p => sql.DelimitIdentifier(p.GetColumnName(store)!)),
            properties.Select(p => p.GetRelationalTypeMapping()).ToArray(),
            properties.Select(p => p.IsNullable).ToArray(),
            sql);
    }

    private string InsertSql(ModelInfo m, int rows)
    {
        var columns = string.Join(", ", Columns.Select(c => m.Column[c]));
        var values = new StringBuilder();
        var index = 0;
        for (var r = 0; r < rows; r++)
        {
            values.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < Columns.Length; c++)
            {
                if (c > 0) values.Append(", ");
                values.Append(m.Sql.GenerateParameterNamePlaceholder("p" + index++));
            }

            values.Append(')');
        }

        if (Provider() != DatabaseProvider.SqlServer)
            return $"INSERT INTO {m.Table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING";
        var key = $"t.{m.Column["SubjectId"]} = v.{m.Column["SubjectId"]} AND t.{m.Column["ResolutionSeconds"]} = v.{m.Column["ResolutionSeconds"]} AND t.{m.Column["SlotStart"]} = v.{m.Column["SlotStart"]}";
        return $"INSERT INTO {m.Table} ({columns}) SELECT * FROM (VALUES {values}) AS v ({columns}) WHERE NOT EXISTS (SELECT 1 FROM {m.Table} AS t WITH (UPDLOCK, HOLDLOCK) WHERE {key})";
    }
}
