using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Waves;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Does a wave of 1,000 VMs validate in under 5 s? Validates (and then submits) a CSV of N rows against a wave of N/100
/// rows on the same SQLite database, in the same process: the ratio shows whether the cost per row stays flat.
/// </summary>
internal static class WaveBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        var small = Math.Max(1, rows / 100);
        var file = Path.Combine(Path.GetTempPath(), $"mp-bench-wave-{Guid.NewGuid():N}.db");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={file}",
            ["Demo:Enabled"] = "false",
        }).Build();
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddPortalInfrastructure(configuration)
            .AddPortalUseCases()
            .AddScoped<MigrationPortal.Application.Abstractions.IMigrationJobs, NoJobs>()
            .BuildServiceProvider();
        try
        {
            await using (var scope = services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            await SeedAsync(services, rows + small);
            var requester = new PortalUser("bench-requester", "Requester", new HashSet<string> { Roles.Requester }, new HashSet<string>());

            // Two files over different VMs, so submitting the small one leaves the large one valid.
            var smallCsv = Csv(0, small);
            var largeCsv = Csv(small, rows);
            await TimeAsync(services, requester, smallCsv, submit: false); // warm-up: JIT and the EF model
            var validateSmall = await TimeAsync(services, requester, smallCsv, submit: false);
            var validateLarge = await TimeAsync(services, requester, largeCsv, submit: false);
            var submitSmall = await TimeAsync(services, requester, smallCsv, submit: true);
            var submitLarge = await TimeAsync(services, requester, largeCsv, submit: true);

            Console.WriteLine($"Wave from CSV (SQLite), {rows:N0} rows against {small:N0} rows, one requester owning every VM:");
            Console.WriteLine("| step | rows | seconds | ms per row |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Console.WriteLine($"| validate | {small:N0} | {validateSmall:F2} | {validateSmall * 1000 / small:F2} |");
            Console.WriteLine($"| validate | {rows:N0} | {validateLarge:F2} | {validateLarge * 1000 / rows:F2} |");
            Console.WriteLine($"| submit | {small:N0} | {submitSmall:F2} | {submitSmall * 1000 / small:F2} |");
            Console.WriteLine($"| submit | {rows:N0} | {submitLarge:F2} | {submitLarge * 1000 / rows:F2} |");
            Console.WriteLine($"Per row, {rows:N0} ÷ {small:N0} rows: validate {validateLarge / rows / (validateSmall / small):F2}x, submit {submitLarge / rows / (submitSmall / small):F2}x.");
            Console.WriteLine($"Target: {rows:N0} rows validate in under 5 s: {(validateLarge < 5 ? "met" : "MISSED")} ({validateLarge:F2} s).");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static string Csv(int from, int count)
    {
        var csv = new StringBuilder("VM,Kind,TargetHost,Options,Wave,Schedule,Justification\n");
        for (var i = from; i < from + count; i++)
            csv.Append(CultureInfo.InvariantCulture, $"vm-{i:00000},Compute,esx-{(i + 1) % 20:00},live,wave-{i % 4},,Rack decommission\n");
        return csv.ToString();
    }

    private static async Task<double> TimeAsync(ServiceProvider services, PortalUser user, string csv, bool submit)
    {
        await using var scope = services.CreateAsyncScope();
        using var file = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var watch = Stopwatch.StartNew();
        var result = submit
            ? await scope.ServiceProvider.GetRequiredService<SubmitWave>().HandleAsync(user, file)
            : await scope.ServiceProvider.GetRequiredService<ValidateWave>().HandleAsync(user, file);
        if (result.Rows == 0) throw new InvalidOperationException("The wave had no rows.");
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task SeedAsync(ServiceProvider services, int vmCount)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = new Connection("bench vCenter", ConnectionKinds.VSphere, "https://vcenter.bench/sdk");
        db.Connections.Add(connection);
        var app = new MigrationPortal.Domain.Inventory.Application("app-wave");
        app.AddOwner(OwnerKind.User, "bench-requester");
        db.Applications.Add(app);
        for (var h = 0; h < 20; h++)
            db.Hosts.Add(new InventoryHost { ConnectionId = connection.Id, ExternalId = $"host-{h}", Name = $"esx-{h:00}", ClusterName = "cluster-1", CpuCores = 32 });
        for (var i = 0; i < vmCount; i++)
        {
            db.Vms.Add(new InventoryVm
            {
                ConnectionId = connection.Id, ExternalId = $"vm-{i}", Name = $"vm-{i:00000}", HostExternalId = $"host-{i % 20}", HostName = $"esx-{i % 20:00}",
                ClusterName = "cluster-1", Datastores = $"ds-{i % 5}", PowerState = PowerState.On, Cpus = 2, MemoryMb = 4096, ProvisionedGb = 40, ApplicationId = app.Id,
            });
        }

        await db.SaveChangesAsync();
    }
}
