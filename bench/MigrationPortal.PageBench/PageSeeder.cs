using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.PageBench;

/// <summary>What the page loads open: the user, and the IDs behind the detail pages.</summary>
internal sealed record SeededPortal(string UserName, string Password, Guid RequestId, Guid VmId, Guid HostId);

/// <summary>
/// Fills the portal's SQLite database (in <c>dataDirectory</c>, as the portal will open it) with a vCenter-shaped inventory
/// and requests in every state, through the portal's own DbContext and domain methods (so every row is one the portal
/// could have written), in batches with change detection off. Runs before the portal starts; the portal's initializer
/// then finds the schema current.
/// </summary>
internal static class PageSeeder
{
    public const string UserName = "bench";
    public const string Password = "Bench-pass-2026!";

    public static async Task<SeededPortal> SeedAsync(string dataDirectory, int vmCount, int requestCount, bool withDemo)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = dataDirectory,
            ["Demo:Enabled"] = withDemo ? "true" : "false",
        }).Build();
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddPortalInfrastructure(configuration)
            .AddPortalUseCases()
            // Nothing runs while seeding: the portal's own Hangfire is what would run jobs.
            .AddScoped<IMigrationJobs, NoJobs>()
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();

        // One person with every role, so every page opens for the same signed-in user (Approvals needs Approver,
        // the host page Operator, Audit Auditor, Admin Administrator). Requests are by others, so they can be decided.
        await using (var scope = services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<IAccountDirectory>();
            var (id, errors) = await accounts.CreateAsync(UserName, "Bench User", Password,
                [Roles.Administrator, Roles.Approver, Roles.Operator, Roles.Auditor, Roles.Requester], default);
            if (id is null) throw new InvalidOperationException(string.Join(" ", errors.SelectMany(e => e.Value)));
        }

        var inventory = withDemo ? await LoadDemoInventoryAsync(services) : await SeedInventoryAsync(services, vmCount);
        return await SeedRequestsAsync(services, inventory, requestCount, withDemo);
    }

    private sealed record Inventory(Connection Connection, List<MigrationPortal.Domain.Inventory.Application> Apps, List<InventoryHost> Hosts,
        List<InventoryDatastore> Datastores, List<InventoryVm> Vms);

    /// <summary>The labelled demo inventory the portal's initializer has just synced (for the screenshots).</summary>
    private static async Task<Inventory> LoadDemoInventoryAsync(ServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = await db.Connections.FirstAsync(c => c.Kind == ConnectionKinds.Demo && db.Vms.Any(v => v.ConnectionId == c.Id));
        return new Inventory(connection, await db.Applications.ToListAsync(),
            await db.Hosts.Where(h => h.ConnectionId == connection.Id).OrderBy(h => h.Name).ToListAsync(),
            await db.Datastores.Where(d => d.ConnectionId == connection.Id).OrderBy(d => d.Name).ToListAsync(),
            await db.Vms.Where(v => v.ConnectionId == connection.Id).OrderBy(v => v.Name).ToListAsync());
    }

    private static async Task<Inventory> SeedInventoryAsync(ServiceProvider services, int vmCount)
    {
        var now = TimeProvider.System.GetUtcNow();
        var hostCount = Math.Clamp(vmCount / 50, 1, 200);
        var clusterCount = Math.Clamp(hostCount / 10, 1, 20);
        var datastoreCount = Math.Clamp(vmCount / 200, 1, 50);
        var connection = new Connection("bench vCenter", ConnectionKinds.VSphere, "https://vcenter.bench.invalid/sdk");
        var apps = Enumerable.Range(0, 40).Select(i => new MigrationPortal.Domain.Inventory.Application($"app-{i:00}")).ToList();
        var hosts = Enumerable.Range(0, hostCount).Select(i => new InventoryHost
        {
            ConnectionId = connection.Id, ExternalId = $"host-{i}", Name = $"esx-{i:000}.bench.local", ClusterName = $"cluster-{i % clusterCount:00}",
            CpuCores = 64, MemoryMb = 1024L * 1024, MemoryUsedMb = 512L * 1024 + i * 1024,
        }).ToList();
        var datastores = Enumerable.Range(0, datastoreCount).Select(i => new InventoryDatastore
        {
            ConnectionId = connection.Id, ExternalId = $"datastore-{i}", Name = $"ds-{i:00}", CapacityGb = 20_000, FreeGb = 8_000 + i * 10,
            MountedOnHosts = string.Join(",", hosts.Where((_, h) => h % clusterCount == i % clusterCount).Select(h => h.Name)),
        }).ToList();
        var vms = new List<InventoryVm>(vmCount);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Connections.Add(connection);
            db.Applications.AddRange(apps);
            db.Clusters.AddRange(Enumerable.Range(0, clusterCount).Select(i => new InventoryCluster
                { ConnectionId = connection.Id, ExternalId = $"domain-c{i}", Name = $"cluster-{i:00}", Datacenter = "dc-bench" }));
            db.Hosts.AddRange(hosts);
            db.Datastores.AddRange(datastores);
            db.Networks.Add(new InventoryNetwork { ConnectionId = connection.Id, ExternalId = "network-1", Name = "VM Network" });
            for (var i = 0; i < vmCount; i++)
            {
                var host = hosts[i % hostCount];
                var vm = new InventoryVm
                {
                    ConnectionId = connection.Id, ExternalId = $"vm-{i}", Name = $"vm-{i:00000}", HostExternalId = host.ExternalId, HostName = host.Name,
                    ClusterName = host.ClusterName, Datastores = datastores[i % datastoreCount].Name, PowerState = i % 10 == 0 ? PowerState.Off : PowerState.On,
                    Cpus = 2 + i % 8, MemoryMb = 2048L * (1 + i % 16), ProvisionedGb = 40 + i % 200, UsedGb = 20 + i % 100,
                    ApplicationTag = apps[i % apps.Count].Name, ApplicationId = apps[i % apps.Count].Id, Networks = "VM Network",
                    Disks = $"disk-0 [{datastores[i % datastoreCount].Name}] vm-{i:00000}/vm-{i:00000}.vmdk {40 + i % 200} GB", SyncedAt = now,
                };
                vms.Add(vm);
            }

            db.Vms.AddRange(vms);
            db.MaintenanceWindows.AddRange(Enumerable.Range(0, clusterCount).Select(c =>
            {
                var window = new MaintenanceWindow();
                window.Define($"cluster-{c:00} weekend", RecurrenceKind.RRule, $"FREQ=WEEKLY;BYDAY={(c % 2 == 0 ? "SA" : "SU")}", "UTC",
                    new DateTime(2026, 1, 3, 22, 0, 0), TimeSpan.FromHours(6),
                    new WindowScope(WindowScopeKind.Cluster, connection.Id, $"cluster-{c:00}", $"cluster-{c:00}"), true, new Actor("seed", "Seed"), now);
                return window;
            }));
            await db.SaveChangesAsync();
        }

        return new Inventory(connection, apps, hosts, datastores, vms);
    }

    private static async Task<SeededPortal> SeedRequestsAsync(ServiceProvider services, Inventory inventory, int requestCount, bool isDemo)
    {
        var now = TimeProvider.System.GetUtcNow();
        var (connection, apps, hosts, datastores, vms) = inventory;
        var hostCount = hosts.Count;
        var datastoreCount = datastores.Count;

        // Requests by 50 requesters over the last 90 days, in the mix a busy portal holds: most finished, a tenth each
        // waiting for approval, scheduled in the coming month, rejected, cancelled and failed.
        var approver = new Actor("seed-approver", "Seed Approver");
        var policy = new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, null, "One approval (default rule).");
        Guid succeededId = Guid.Empty;
        const int batch = 2_000;
        for (var done = 0; done < requestCount; done += batch)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = done; i < Math.Min(requestCount, done + batch); i++)
            {
                var vm = vms[(i * 7) % vms.Count];
                var host = hosts[(i + 1) % hostCount];
                var ds = datastores[(i + 1) % datastoreCount];
                var requester = new Actor($"seed-user-{i % 50}", $"Requester {i % 50}");
                var created = now - TimeSpan.FromMinutes(13 * (requestCount - i)) - TimeSpan.FromHours(1);
                var kind = (i % 3) switch { 0 => MigrationKind.Compute, 1 => MigrationKind.Storage, _ => MigrationKind.ComputeAndStorage };
                var request = new MigrationRequest(vm.Id, vm.Name, connection.Id, vm.ApplicationId, apps.FirstOrDefault(a => a.Id == vm.ApplicationId)?.Name, vm.HostName, vm.Datastores,
                    kind, live: i % 4 != 0, new MigrationTarget(connection.Id, kind.MovesCompute() ? host.ExternalId : null, kind.MovesCompute() ? host.Name : null,
                        kind.MovesStorage() ? ds.ExternalId : null, kind.MovesStorage() ? ds.Name : null, null),
                    new ScheduleWish(ScheduleMode.AsSoonAsApproved, null), $"Rebalancing {vm.ClusterName}, ticket CHG-{100000 + i}.", new MigrationOptions(), requester, created, isDemo: isDemo);
                // A ScheduleWish of its own per request: EF Core cannot share one owned instance between owners.
                request.Submit(requester, created, policy, TimeSpan.FromDays(3650));
                var decided = created + TimeSpan.FromMinutes(5);
                switch (i % 10)
                {
                    case 0: break; // pending approval
                    case 1: request.Reject(approver, "Not in this quarter.", decided); break;
                    case 2: request.Cancel(requester, decided, "No longer needed."); break;
                    case 3:
                        request.Approve(approver, "OK.", decided);
                        request.ScheduleFor(now + TimeSpan.FromHours(6 + i % (24 * 28)), Actor.System, decided, "Next window.");
                        break;
                    case 4:
                        request.Approve(approver, "OK.", decided);
                        request.Start(decided + TimeSpan.FromMinutes(1));
                        request.Fail(decided + TimeSpan.FromMinutes(9), "The host refused the migration: insufficient memory.");
                        break;
                    default:
                        request.Approve(approver, "OK.", decided);
                        request.Start(decided + TimeSpan.FromMinutes(1));
                        foreach (var step in new[] { "precheck", "snapshot", "transfer", "verify" })
                        {
                            request.StartStep(step, decided + TimeSpan.FromMinutes(2));
                            if (step == "verify") request.BeginVerify(decided + TimeSpan.FromMinutes(8));
                            request.EndStep(step, StepStatus.Succeeded, decided + TimeSpan.FromMinutes(8));
                        }

                        request.Succeed(decided + TimeSpan.FromMinutes(9), "The VM runs at its target.");
                        if (succeededId == Guid.Empty) succeededId = request.Id;
                        break;
                }

                db.Requests.Add(request);
                AuditLog.Record(db, created, requester, "request.submitted", "MigrationRequest", request.Id.ToString(),
                    new { kind = kind.ToString(), target = request.Target.Describe(), justification = request.Justification }, vmName: vm.Name, requestId: request.Id, isDemo: isDemo);
                if (request.State != RequestState.PendingApproval)
                    AuditLog.Record(db, decided, approver, $"request.{request.State.ToString().ToLowerInvariant()}", "MigrationRequest", request.Id.ToString(),
                        new { state = request.State.ToString() }, vmName: vm.Name, requestId: request.Id, isDemo: isDemo);
            }

            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync();
        }

        // A VM with a request, and a host with a full share of the VMs.
        return new SeededPortal(UserName, Password, succeededId, vms[0].Id, hosts[0].Id);
    }
}

internal sealed class NoJobs : IMigrationJobs
{
    public void EnqueueSync(Guid connectionId) { }
    public void EnqueueRun(Guid requestId) { }
    public void NudgeDispatcher() { }
}
