using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Is the inventory grid smooth at 10,000 VMs? Times the grid's server-side queries (ListVms: filter, sort, page, with
/// authorization) against a bare SQL page query on the same SQLite database, in the same process.
/// </summary>
internal static class InventoryGridBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var vmCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var file = Path.Combine(Path.GetTempPath(), $"mp-bench-inv-{Guid.NewGuid():N}.db");
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
            var requester = await SeedAsync(services, vmCount);
            var admin = new PortalUser("bench-admin", "Admin", new HashSet<string> { Roles.Administrator }, new HashSet<string>());

            var cases = new (string Name, PortalUser User, ListVms.Query Query, string Sql)[]
            {
                ("first page by name", admin, new ListVms.Query(Take: 25), "SELECT * FROM \"Vms\" ORDER BY \"Name\" LIMIT 25"),
                ("page 200 by name", admin, new ListVms.Query(Skip: 25 * 199, Take: 25), "SELECT * FROM \"Vms\" ORDER BY \"Name\" LIMIT 25 OFFSET 4975"),
                ("filter host, sort memory desc", admin, new ListVms.Query(Host: "host-042", SortBy: "memory", Descending: true, Take: 25),
                    "SELECT * FROM \"Vms\" WHERE \"HostName\" = 'host-042' ORDER BY \"MemoryMb\" DESC, \"Name\" LIMIT 25"),
                ("name search 'vm-0123'", admin, new ListVms.Query(Search: "vm-0123", Take: 25), "SELECT * FROM \"Vms\" WHERE instr(\"Name\", 'vm-0123') > 0 ORDER BY \"Name\" LIMIT 25"),
                ("requester (owned apps only)", requester, new ListVms.Query(Take: 25), "SELECT * FROM \"Vms\" WHERE \"ApplicationId\" IS NOT NULL ORDER BY \"Name\" LIMIT 25"),
            };

            Console.WriteLine($"Inventory grid at {vmCount:N0} VMs (SQLite), median of 20 runs after 3 warm-ups:");
            Console.WriteLine("| query | ListVms ms | bare SQL ms | ratio |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            foreach (var c in cases)
            {
                var portal = await MedianAsync(async () =>
                {
                    await using var scope = services.CreateAsyncScope();
                    var page = await scope.ServiceProvider.GetRequiredService<ListVms>().HandleAsync(c.User, c.Query);
                    if (page.Total == 0) throw new InvalidOperationException($"{c.Name} found nothing.");
                });
                var bare = await MedianAsync(async () =>
                {
                    await using var scope = services.CreateAsyncScope();
                    var connection = scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.GetDbConnection();
                    await connection.OpenAsync();
                    await using var command = connection.CreateCommand();
                    command.CommandText = c.Sql;
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) { }
                });
                Console.WriteLine($"| {c.Name} | {portal:F2} | {bare:F2} | {portal / bare:F1}x |");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static async Task<PortalUser> SeedAsync(ServiceProvider services, int vmCount)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = new Connection("bench vCenter", ConnectionKinds.VSphere, "https://vcenter.bench/sdk");
        db.Connections.Add(connection);
        var apps = Enumerable.Range(0, 40).Select(i => new MigrationPortal.Domain.Inventory.Application($"app-{i:00}")).ToList();
        apps[0].AddOwner(OwnerKind.User, "bench-requester");
        db.Applications.AddRange(apps);
        for (var i = 0; i < vmCount; i++)
        {
            db.Vms.Add(new InventoryVm
            {
                ConnectionId = connection.Id, ExternalId = $"vm-{i}", Name = $"vm-{i:00000}", HostExternalId = $"host-{i % 200}", HostName = $"host-{i % 200:000}",
                ClusterName = $"cluster-{i % 20:00}", Datastores = $"ds-{i % 50:00}", PowerState = i % 10 == 0 ? PowerState.Off : PowerState.On,
                Cpus = 2 + i % 8, MemoryMb = 2048L * (1 + i % 16), ProvisionedGb = 40 + i % 200, ApplicationId = apps[i % apps.Count].Id,
            });
        }

        await db.SaveChangesAsync();
        return new PortalUser("bench-requester", "Requester", new HashSet<string> { Roles.Requester }, new HashSet<string>());
    }

    private static async Task<double> MedianAsync(Func<Task> run)
    {
        for (var i = 0; i < 3; i++) await run();
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
