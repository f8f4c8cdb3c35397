using Microsoft.Data.Sqlite;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>Reads the providers' own error codes, so the rest of the portal need not.</summary>
internal static class DatabaseErrors
{
    // SQLite: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY; SQL Server: 2601 (unique index), 2627 (unique constraint).
    private const int SqliteConstraintUnique = 2067, SqliteConstraintPrimaryKey = 1555;

    public static bool IsUniqueViolation(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case SqliteException s when s.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey:
                case PostgresException p when p.SqlState == PostgresErrorCodes.UniqueViolation:
                case SqlException q when q.Number is 2601 or 2627:
                    return true;
            }
        }

        return false;
    }
}
