using MigrationPortal.Application.Execution;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The test assembly doubles as a throwaway "portal process": `dotnet MigrationPortal.Libvirt.Tests.dll run-migration
/// DB REQUEST [KEY=VALUE ...]` runs one request's job on the database file, with the given settings (the same a test's
/// in-process portal has), so the crash tests can kill a real process mid-migration or mid-conversion.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["run-migration", var database, var request, .. var rest] || rest.Any(s => !s.Contains('=')))
        {
            await Console.Error.WriteLineAsync("usage: run-migration DATABASE_FILE REQUEST_ID [KEY=VALUE ...] (the tests themselves run under dotnet test)");
            return 2;
        }

        var settings = rest.ToDictionary(s => s[..s.IndexOf('=')], s => (string?)s[(s.IndexOf('=') + 1)..]);
        await using var portal = await LabPortal.StartAsync(database, settings);
        await portal.Scoped<RunMigration>(r => r.HandleAsync(Guid.Parse(request)));
        return 0;
    }
}
