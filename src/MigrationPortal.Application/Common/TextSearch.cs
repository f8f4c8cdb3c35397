using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace MigrationPortal.Application.Common;

/// <summary>
/// "Contains, ignoring case" that every provider translates the same way: <c>lower(column) LIKE '%text%' ESCAPE '\'</c>.
/// string.Contains alone is case-sensitive on PostgreSQL and depends on the collation on SQL Server; the escape keeps a
/// typed % or _ literal instead of a wildcard. SQLite's lower() folds ASCII letters only, so there a non-ASCII letter
/// matches in its own case only.
/// </summary>
public static class TextSearch
{
    public const string EscapeCharacter = "\\";

    /// <summary>The LIKE pattern for "contains <paramref name="text"/>", lower-cased and escaped; null for a blank filter.</summary>
    public static string? ContainsPattern(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var escaped = text.Trim().ToLowerInvariant()
            .Replace(EscapeCharacter, EscapeCharacter + EscapeCharacter, StringComparison.Ordinal)
            .Replace("%", EscapeCharacter + "%", StringComparison.Ordinal)
            .Replace("_", EscapeCharacter + "_", StringComparison.Ordinal);
        return "%" + escaped + "%";
    }

    /// <summary>Keeps the rows whose <paramref name="column"/> contains <paramref name="text"/>, ignoring case; all rows for a blank filter.</summary>
    public static IQueryable<T> WhereContains<T>(this IQueryable<T> rows, Expression<Func<T, string?>> column, string? text)
    {
        if (ContainsPattern(text) is not { } pattern) return rows;
        // Built as an expression so the provider sees lower(column) LIKE @pattern, whatever the column.
        var row = column.Parameters[0];
        var lower = Expression.Call(column.Body, typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!);
        var like = Expression.Call(typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like), [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!,
            Expression.Constant(EF.Functions), lower, Parameter(pattern), Expression.Constant(EscapeCharacter));
        return rows.Where(Expression.Lambda<Func<T, bool>>(like, row));
    }

    // A captured value (not a constant), so the pattern travels as a SQL parameter and the query plan is reused.
    private static Expression Parameter(string value) => ((Expression<Func<string>>)(() => value)).Body;
}
