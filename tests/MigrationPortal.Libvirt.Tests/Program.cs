using MigrationPortal.Application.Execution;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The test assembly doubles as a throwaway "portal process": `dotnet MigrationPortal.Libvirt.Tests.dll run-migration
/// DB REQUEST` runs one request's job on the database file, so the crash test can kill a real process mid-migration.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["run-migration", var database, var request])
        {
            await Console.Error.WriteLineAsync("usage: run-migration DATABASE_FILE REQUEST_ID (the tests themselves run under dotnet test)");
            return 2;
        }

        await using var portal = await LabPortal.StartAsync(database);
        await portal.Scoped<RunMigration>(r => r.HandleAsync(Guid.Parse(request)));
        return 0;
    }
}
