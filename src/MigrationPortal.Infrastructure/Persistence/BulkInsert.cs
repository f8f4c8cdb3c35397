using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Inserts many new rows on the context's own connection and transaction, bypassing change tracking: multi-row
/// <c>INSERT ... VALUES (...), (...)</c> statements on PostgreSQL and SQL Server, and one prepared single-row statement
/// re-run per row on SQLite. SaveChanges tracks every entity and, on SQLite, builds a command per entity, which made the
/// first sync of 10,000 VMs spend seconds in the database. Table, column names and value conversions come from the EF
/// model (each column's type mapping creates its parameter), so a Guid or a DateTimeOffset is stored exactly as
/// SaveChanges would store it.
/// </summary>
internal static class BulkInsert
{
    /// <summary>Most rows in one VALUES list; SQL Server refuses more than 1,000, and longer statements gain nothing.</summary>
    private const int MaxRowsPerStatement = 500;

    public static async Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity of this model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = Columns<T>.For(entityType, table);
        var sql = db.GetService<ISqlGenerationHelper>();
        var perStatement = RowsPerStatement(db, columns.Length);

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        DbCommand? command = null;
        try
        {
            foreach (var chunk in rows.Chunk(perStatement))
            {
                // One command per statement shape: on SQLite the single-row statement is prepared once and re-run per row.
                if (command is null || command.Parameters.Count != chunk.Length * columns.Length)
                {
                    if (command is not null) await command.DisposeAsync();
                    command = connection.CreateCommand();
                    command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                    if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
                    command.CommandText = InsertSql(sql, table, columns, chunk.Length);
                }

                command.Parameters.Clear();
                var index = 0;
                foreach (var row in chunk)
                {
                    foreach (var column in columns)
                    {
                        var value = column.Read(row);
                        // SaveChanges would generate a missing Guid key; a bulk insert must not store an empty one.
                        if (column.IsKey && value is Guid id && id == Guid.Empty)
                            throw new InvalidOperationException($"{typeof(T).Name}.{column.Name} is empty: set the key before a bulk insert.");
                        command.Parameters.Add(column.Mapping.CreateParameter(command, sql.GenerateParameterName("p" + index++), value, column.Nullable));
                    }
                }

                await command.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            if (command is not null) await command.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string InsertSql(ISqlGenerationHelper sql, StoreObjectIdentifier table, Column[] columns, int rows)
    {
        var text = new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(table.Name, table.Schema)).Append(" (")
            .AppendJoin(", ", columns.Select(c => sql.DelimitIdentifier(c.Name))).Append(") VALUES ");
        var index = 0;
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                if (c > 0) text.Append(", ");
                text.Append(sql.GenerateParameterNamePlaceholder("p" + index++));
            }

            text.Append(')');
        }

        return text.Append(sql.StatementTerminator).ToString();
    }

    /// <summary>
    /// Rows per INSERT. SQLite runs in process, so there is no round trip to save, and it finds each named parameter by a
    /// linear search (a statement with thousands of them binds in quadratic time): one prepared single-row statement re-run
    /// per row is its fastest path. Over the network, multi-row statements save round trips; about 2,000 parameters each
    /// stays under SQL Server's limit of 2,100 and keeps parameter binding cheap on PostgreSQL too.
    /// </summary>
    private static int RowsPerStatement(DbContext db, int columns) =>
        db.Database.IsSqlite() ? 1 : Math.Clamp(MaxParameters / columns, 1, MaxRowsPerStatement);

    private const int MaxParameters = 2_000;

    private sealed record Column(string Name, RelationalTypeMapping Mapping, bool Nullable, bool IsKey, Func<object, object?> Read);

    /// <summary>The columns of an entity type, built once per model (each provider has its own type mappings).</summary>
    private static class Columns<T> where T : class
    {
        private static readonly ConditionalWeakTable<IEntityType, Column[]> Cache = new();

        public static Column[] For(IEntityType entityType, StoreObjectIdentifier table) => Cache.GetValue(entityType, e => Build(e, table));

        private static Column[] Build(IEntityType entityType, StoreObjectIdentifier table)
        {
            if (entityType.GetNavigations().Any() || entityType.GetComplexProperties().Any() || entityType.GetDerivedTypes().Any())
                throw new NotSupportedException($"{typeof(T).Name}: bulk insert handles flat entities only.");
            var columns = new List<Column>();
            foreach (var property in entityType.GetProperties())
            {
                if (property.PropertyInfo is null)
                    throw new NotSupportedException($"{typeof(T).Name}.{property.Name}: bulk insert needs CLR properties (no shadow properties).");
                if (property.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && property.ClrType != typeof(Guid))
                    throw new NotSupportedException($"{typeof(T).Name}.{property.Name}: bulk insert needs client-set keys (store-generated values are not read back).");
                var entity = Expression.Parameter(typeof(object), "entity");
                var read = Expression.Lambda<Func<object, object?>>(
                    Expression.Convert(Expression.Property(Expression.Convert(entity, typeof(T)), property.PropertyInfo), typeof(object)), entity).Compile();
                columns.Add(new Column(property.GetColumnName(table)!, property.GetRelationalTypeMapping(), property.IsNullable, property.IsKey(), read));
            }

            return [.. columns];
        }
    }
}
