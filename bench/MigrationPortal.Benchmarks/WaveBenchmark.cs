using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Waves;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Does a wave of 1,000 VMs validate in under 5 s? On the demo connection, with N + N/100 extra demo VMs synced into the
/// inventory (SQLite), it validates, dry-runs (prechecks per row, through the demo connector) and submits a CSV of N rows
/// and, as the baseline in the same process, a CSV of N/100 rows over other VMs. The per-row ratio (N ÷ N/100) near 1×
/// means the cost per row stays flat; above it, something grows with the file.
/// </summary>
internal static class WaveBenchmark
{
    private const string Application = "demo-payments";

    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        var small = Math.Max(1, rows / 100);
        var file = Path.Combine(Path.GetTempPath(), $"mp-bench-wave-{Guid.NewGuid():N}.db");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={file}",
            ["Demo:Enabled"] = "true",
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
            var seed = Stopwatch.StartNew();
            var vms = await SeedAsync(services, rows + small);
            Console.WriteLine($"Seeded and synced {vms.Count:N0} demo VMs in {seed.Elapsed.TotalSeconds:F1} s.");
            var requester = new PortalUser("bench-requester", "Requester", new HashSet<string> { Roles.Requester }, new HashSet<string>());

            // Two files over different VMs, so submitting the small one leaves the large one valid.
            var smallCsv = Csv(vms.Take(small));
            var largeCsv = Csv(vms.Skip(small).Take(rows));
            await RunAsync(services, requester, smallCsv, Step.Validate); // warm-up: JIT and the EF model
            await RunAsync(services, requester, smallCsv, Step.DryRun);
            var results = new List<(Step Step, Timing Small, Timing Large)>();
            foreach (var step in new[] { Step.Validate, Step.DryRun, Step.Submit })
                results.Add((step, await RunAsync(services, requester, smallCsv, step), await RunAsync(services, requester, largeCsv, step)));

            // Wall-clock seconds, and the process's CPU seconds (SQLite runs in-process, so that includes the database):
            // on a shared machine the CPU time is the steadier figure.
            Console.WriteLine($"Wave from CSV (SQLite, demo connection), {rows:N0} rows against {small:N0} rows, one requester owning every VM:");
            Console.WriteLine($"| step | s, {small:N0} rows | s, {rows:N0} rows | CPU s, {small:N0} rows | CPU s, {rows:N0} rows | ms per row, {small:N0} | ms per row, {rows:N0} | per-row ratio (wall) | per-row ratio (CPU) |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (step, s, l) in results)
                Console.WriteLine($"| {Name(step)} | {s.Wall:F2} | {l.Wall:F2} | {s.Cpu:F2} | {l.Cpu:F2} | {s.Wall * 1000 / small:F1} | {l.Wall * 1000 / rows:F1} | " +
                    $"{l.Wall / rows / (s.Wall / small):F2}x | {l.Cpu / rows / (s.Cpu / small):F2}x |");
            var validate = results.Single(r => r.Step == Step.Validate).Large;
            Console.WriteLine($"Target: {rows:N0} rows validate in under 5 s: {(validate.Wall < 5 ? "met" : "MISSED")} ({validate.Wall:F2} s wall, {validate.Cpu:F2} s CPU).");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private enum Step
    {
        Validate,
        DryRun,
        Submit,
    }

    private static string Name(Step step) => step switch
    {
        Step.Validate => "validate",
        Step.DryRun => "dry run",
        _ => "submit",
    };

    /// <summary>Each VM to another host of its cluster, live, in four waves, as soon as approved.</summary>
    private static string Csv(IEnumerable<(string Vm, string TargetHost)> moves)
    {
        var csv = new StringBuilder("VM,Kind,TargetHost,Options,Wave,Schedule,Justification\n");
        var i = 0;
        foreach (var (vm, host) in moves)
            csv.Append(CultureInfo.InvariantCulture, $"{vm},Compute,{host},live,wave-{i++ % 4},,Rack decommission\n");
        return csv.ToString();
    }

    private sealed record Timing(double Wall, double Cpu);

    private static async Task<Timing> RunAsync(ServiceProvider services, PortalUser user, string csv, Step step)
    {
        await using var scope = services.CreateAsyncScope();
        using var file = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        switch (step)
        {
            case Step.Validate:
                await scope.ServiceProvider.GetRequiredService<ValidateWave>().HandleAsync(user, file);
                break;
            case Step.DryRun:
                var report = await scope.ServiceProvider.GetRequiredService<DryRunWave>().HandleAsync(user, file);
                // The report must have judged every row and blocked none, or the figure would time a failure.
                if (report.BlockedRows > 0)
                    throw new InvalidOperationException($"The dry run blocked {report.BlockedRows} rows: {report.Lines.First(l => l.Severity == "Critical").Message}");
                break;
            default:
                await scope.ServiceProvider.GetRequiredService<SubmitWave>().HandleAsync(user, file);
                break;
        }

        var wall = watch.Elapsed.TotalSeconds;
        process.Refresh();
        return new Timing(wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    /// <summary>
    /// Adds demo VMs to the demo world (the table the demo connector reads) and syncs the demo connection, so the inventory
    /// and the prechecks see them as they see the demo's own 60; the requester owns their application.
    /// </summary>
    private static async Task<List<(string Vm, string TargetHost)>> SeedAsync(ServiceProvider services, int count)
    {
        var hosts = DemoWorldShape.Hosts;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < count; i++)
            {
                var host = hosts[i % hosts.Count];
                var stores = DemoWorldShape.Datastores.Where(d => d.Cluster == host.Cluster).ToList();
                db.DemoVms.Add(new DemoVm
                {
                    Id = $"bench-vm-{i:00000}", Name = $"bench-{i:00000}", HostId = host.Id, Datastore = stores[i % stores.Count].Name, PowerState = "poweredOn",
                    Cpus = 2, MemoryMb = 4096, DiskGb = 40, Application = Application,
                });
            }

            var app = await db.Applications.Include(a => a.Owners).SingleAsync(a => a.Name == Application);
            app.AddOwner(OwnerKind.User, "bench-requester");
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync();
            var connection = await db.Connections.SingleAsync(c => c.Kind == ConnectionKinds.Demo && c.Endpoint == DemoWorlds.VCenter.Endpoint);
            await scope.ServiceProvider.GetRequiredService<SyncInventory>().HandleAsync(PortalUser.System, connection.Id);
        }

        // Another host of the VM's cluster, by name, as a spreadsheet would say it.
        return Enumerable.Range(0, count).Select(i =>
        {
            var host = hosts[i % hosts.Count];
            var target = hosts.First(h => h.Cluster == host.Cluster && h.Id != host.Id);
            return ($"bench-{i:00000}", target.Name);
        }).ToList();
    }
}
