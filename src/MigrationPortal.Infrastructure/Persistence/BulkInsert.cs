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
/// Inserts many new rows with multi-row <c>INSERT ... VALUES (...), (...)</c> statements on the context's own connection
/// and transaction, bypassing change tracking. EF Core's SQLite provider sends one command per added entity, which made
/// the first sync of 10,000 VMs spend seconds in the database; this writes them in a few dozen statements on every provider.
/// Table, column names and value conversions come from the EF model (each column's type mapping creates its parameter, so
/// a Guid or a DateTimeOffset is stored exactly as SaveChanges would store it).
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
        var perStatement = Math.Max(1, Math.Min(MaxRowsPerStatement, MaxParameters(db) / columns.Length));
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)))}) VALUES ";

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            foreach (var chunk in rows.Chunk(perStatement))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
                var text = new StringBuilder(head, head.Length + chunk.Length * columns.Length * 8);
                var index = 0;
                for (var r = 0; r < chunk.Length; r++)
                {
                    text.Append(r == 0 ? "(" : ", (");
                    for (var c = 0; c < columns.Length; c++)
                    {
                        var name = "p" + index++;
                        if (c > 0) text.Append(", ");
                        text.Append(sql.GenerateParameterNamePlaceholder(name));
                        var column = columns[c];
                        var value = column.Read(chunk[r]);
                        // SaveChanges would generate a missing Guid key; a bulk insert must not store an empty one.
                        if (column.IsKey && value is Guid id && id == Guid.Empty)
                            throw new InvalidOperationException($"{typeof(T).Name}.{column.Name} is empty: set the key before a bulk insert.");
                        command.Parameters.Add(column.Mapping.CreateParameter(command, sql.GenerateParameterName(name), value, column.Nullable));
                    }

                    text.Append(')');
                }

                command.CommandText = text.Append(sql.StatementTerminator).ToString();
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Parameters one command may carry: SQL Server allows 2,100, SQLite 32,766, PostgreSQL 65,535 (with headroom).</summary>
    private static int MaxParameters(DbContext db) =>
        db.Database.IsSqlServer() ? 2_000 : db.Database.IsSqlite() ? 32_000 : 60_000;

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
