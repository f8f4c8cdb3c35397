using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Rules;
using MigrationPortal.Domain.Utilisation;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Optimization;

/// <summary>
/// Recommendations on small clusters built by hand in the demo connection, where the right answer is known: which hosts
/// may take VMs, what storage and networks allow, what the rules demand, and what accepting does.
/// </summary>
public abstract class RecommendationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const long Gb = 1024;

    /// <summary>
    /// "opt-cluster": four hosts of 16 cores and 64 GB. opt-esx-1 carries four 12 GB VMs, opt-esx-2 one, opt-esx-3 none and
    /// opt-esx-4 is in maintenance (empty, so the most attractive target were it usable). Datastore opt-ds is on every host;
    /// opt-ds-private only on 1 and 2 (opt-vm-3 lives there); network opt-net is on every host.
    /// </summary>
    private async Task<Guid> SeedBalanceClusterAsync()
    {
        var connectionId = await Portal.Db(db => db.Connections.Where(c => c.Kind == "demo").Select(c => c.Id).FirstAsync());
        await Portal.Db(async db =>
        {
            var app = await db.Applications.FirstAsync(a => a.Name == RequesterApp);
            for (var i = 1; i <= 4; i++)
                db.Hosts.Add(new InventoryHost { ConnectionId = connectionId, ExternalId = $"opt-host-{i}", Name = $"opt-esx-{i}", ClusterName = "opt-cluster",
                    CpuCores = 16, MemoryMb = 64 * Gb, MemoryUsedMb = 1024, InMaintenance = i == 4 });
            db.Datastores.Add(new InventoryDatastore { ConnectionId = connectionId, ExternalId = "opt-ds", Name = "opt-ds", CapacityGb = 10_000, FreeGb = 9_000,
                MountedOnHosts = "opt-esx-1,opt-esx-2,opt-esx-3,opt-esx-4" });
            db.Datastores.Add(new InventoryDatastore { ConnectionId = connectionId, ExternalId = "opt-ds-private", Name = "opt-ds-private", CapacityGb = 10_000, FreeGb = 9_000,
                MountedOnHosts = "opt-esx-1,opt-esx-2" });
            db.Networks.Add(new InventoryNetwork { ConnectionId = connectionId, ExternalId = "opt-net", Name = "opt-net", Hosts = "opt-esx-1,opt-esx-2,opt-esx-3,opt-esx-4" });
            for (var i = 1; i <= 5; i++)
            {
                var host = i <= 4 ? 1 : 2;
                db.Vms.Add(new InventoryVm { ConnectionId = connectionId, ExternalId = $"opt-vm-{i}", Name = $"opt-vm-{i}", HostExternalId = $"opt-host-{host}",
                    HostName = $"opt-esx-{host}", ClusterName = "opt-cluster", Datastores = i == 3 ? "opt-ds-private" : "opt-ds", Networks = "opt-net", Cpus = 2,
                    MemoryMb = 12 * Gb, ProvisionedGb = 40, UsedGb = 20, ApplicationId = app.Id, SyncedAt = Portal.Time.GetUtcNow() });
            }
            return await db.SaveChangesAsync();
        });
        return connectionId;
    }

    private Task<Recommendation> BalanceAsync(Guid connectionId, string? cluster = "opt-cluster", int? threshold = 5, Application.Authorization.PortalUser? user = null) =>
        Portal.Scoped<RecommendBalance, Recommendation>(u => u.HandleAsync(user ?? PortalHarness.Operator, new RecommendBalance.Query(connectionId, cluster, threshold)));

    /// <summary>Where each VM is after the plan's moves.</summary>
    private static Dictionary<string, string> After(Recommendation r, IEnumerable<(string Vm, string Host)> before)
    {
        var at = before.ToDictionary(b => b.Vm, b => b.Host);
        foreach (var m in r.Moves) at[m.VmName] = m.ToHostName;
        return at;
    }

    private static readonly (string, string)[] Start =
        [("opt-vm-1", "opt-esx-1"), ("opt-vm-2", "opt-esx-1"), ("opt-vm-3", "opt-esx-1"), ("opt-vm-4", "opt-esx-1"), ("opt-vm-5", "opt-esx-2")];

    [Fact]
    public async Task Balance_SpreadsTheLoadedHost_OntoUsableHostsThatSeeTheVmsStorage()
    {
        var connectionId = await SeedBalanceClusterAsync();

        var r = await BalanceAsync(connectionId);

        Assert.Equal(OptimizationStrategy.Balance, r.Strategy);
        Assert.NotEmpty(r.Moves);
        Assert.True(r.ImbalanceAfter < r.ImbalanceBefore / 2, $"imbalance {r.ImbalanceBefore:0.###} → {r.ImbalanceAfter:0.###}");
        Assert.All(r.Moves, m => Assert.Equal("opt-esx-1", m.FromHostName));
        // opt-esx-4 is in maintenance: never a target, but shown in the what-if as not usable.
        Assert.DoesNotContain(r.Moves, m => m.ToHostName == "opt-esx-4");
        Assert.False(r.Hosts.Single(h => h.HostName == "opt-esx-4").Usable);
        // opt-vm-3's datastore is mounted on opt-esx-1 and 2 only.
        Assert.All(r.Moves.Where(m => m.VmName == "opt-vm-3"), m => Assert.Equal("opt-esx-2", m.ToHostName));
        // No samples: every VM counts at its configured size, and the result says so.
        Assert.Equal(0, r.VmsMeasured);
        Assert.Equal(5, r.VmsConfigured);
        Assert.All(r.Moves, m => Assert.False(m.Measured));
        Assert.All(r.Moves, m => Assert.Equal(12 * Gb, m.MemoryMb));
        // Durations are the portal's estimate for a compute move of 12 GB; no window covers these VMs.
        Assert.All(r.Moves, m => Assert.True(m.EstimatedDuration > TimeSpan.Zero && m.EstimateBasis.Contains("memory", StringComparison.Ordinal)));
        Assert.Empty(r.Window.WindowNames);
        Assert.NotNull(r.Window.FirstStart);
        // The what-if's "after" counts are those of the moves.
        var after = After(r, Start);
        foreach (var h in r.Hosts) Assert.Equal(after.Count(a => a.Value == h.HostName), h.VmsAfter);
        Assert.Equal(32, r.Fingerprint.Length);
    }

    [Fact]
    public async Task Balance_UsesMeasuredDemand_WhenSamplesExistInTheLookback()
    {
        var connectionId = await SeedBalanceClusterAsync();
        var now = Portal.Time.GetUtcNow().ToUnixTimeSeconds() / 300 * 300;
        await Portal.Db(async db =>
        {
            foreach (var vm in await db.Vms.Where(v => v.ClusterName == "opt-cluster").ToListAsync())
                for (var k = 1; k <= 3; k++)
                    db.UtilisationSamples.Add(new UtilisationSample { SubjectId = vm.Id, ResolutionSeconds = 300, SlotStart = now - k * 300,
                        CpuUsedMhz = 1000 * k, MemoryUsedMb = (int)(4 * Gb), CpuCapacityMhz = 4800, MemoryCapacityMb = (int)(12 * Gb) });
            return await db.SaveChangesAsync();
        });

        var r = await BalanceAsync(connectionId);

        Assert.Equal(5, r.VmsMeasured);
        Assert.Equal(0, r.VmsConfigured);
        Assert.All(r.Moves, m => { Assert.True(m.Measured); Assert.Equal(2000, m.CpuMhz, 1); Assert.Equal(4 * Gb, m.MemoryMb, 1); });
        Assert.Contains("5 VM(s) at their mean measured demand", r.DemandBasis);
    }

    [Fact]
    public async Task Balance_KeepsAMustKeepTogetherPairOnOneHost_AndRecommendsNothingAtThresholdOne()
    {
        var connectionId = await SeedBalanceClusterAsync();
        await Portal.Db(async db =>
        {
            var ids = await db.Vms.Where(v => v.Name == "opt-vm-1" || v.Name == "opt-vm-2").Select(v => v.Id).ToListAsync();
            db.PlacementRules.Add(new Domain.Rules.PlacementRule(connectionId, "opt pair", Domain.Rules.PlacementRuleKind.KeepTogether, RuleEnforcement.Must, ids, [],
                new Actor("test", "Test"), Portal.Time.GetUtcNow()));
            return await db.SaveChangesAsync();
        });

        var r = await BalanceAsync(connectionId);
        var after = After(r, Start);
        Assert.NotEmpty(r.Moves);
        Assert.Equal(after["opt-vm-1"], after["opt-vm-2"]);

        var none = await BalanceAsync(connectionId, threshold: 1);
        Assert.Empty(none.Moves);
    }

    [Fact]
    public async Task Consolidation_FreesTwoHostsOfThree_AndPricesThePowerSaved()
    {
        var connectionId = await Portal.Db(db => db.Connections.Where(c => c.Kind == "demo").Select(c => c.Id).FirstAsync());
        await Portal.Db(async db =>
        {
            for (var i = 1; i <= 3; i++)
            {
                db.Hosts.Add(new InventoryHost { ConnectionId = connectionId, ExternalId = $"pack-host-{i}", Name = $"pack-esx-{i}", ClusterName = "pack-cluster",
                    CpuCores = 16, MemoryMb = 64 * Gb, MemoryUsedMb = 8 * Gb });
                db.Vms.Add(new InventoryVm { ConnectionId = connectionId, ExternalId = $"pack-vm-{i}", Name = $"pack-vm-{i}", HostExternalId = $"pack-host-{i}",
                    HostName = $"pack-esx-{i}", ClusterName = "pack-cluster", Datastores = "pack-ds", Cpus = 2, MemoryMb = 8 * Gb, SyncedAt = Portal.Time.GetUtcNow() });
            }
            db.Datastores.Add(new InventoryDatastore { ConnectionId = connectionId, ExternalId = "pack-ds", Name = "pack-ds", CapacityGb = 1000, FreeGb = 900,
                MountedOnHosts = "pack-esx-1,pack-esx-2,pack-esx-3" });
            return await db.SaveChangesAsync();
        });

        var r = await Portal.Scoped<RecommendConsolidation, Recommendation>(u => u.HandleAsync(PortalHarness.Admin, new RecommendConsolidation.Query(connectionId, "pack-cluster")));

        Assert.Equal(2, r.HostsFreed);
        Assert.Equal(2, r.Moves.Count);
        Assert.Equal(2, r.Hosts.Count(h => h.Freed));
        Assert.NotNull(r.Savings);
        Assert.Equal(2 * 350, r.Savings!.Watts, 3);
        Assert.Equal(2 * 350 * 730 / 1000.0 * 0.25, r.Savings.CostPerMonth, 3);
        Assert.NotNull(r.Solver);
        Assert.Equal(0, r.Solver!.Gap);
    }

    [Fact]
    public async Task Accept_SubmitsOneAuditedBatchOfTheMoves_ThenRefusesTheSameFingerprint_OnceThePlanChanged()
    {
        var connectionId = await SeedBalanceClusterAsync();
        var shown = await BalanceAsync(connectionId);
        Assert.NotEmpty(shown.Moves);

        var batch = await Portal.Scoped<AcceptRecommendation, BatchView>(u => u.HandleAsync(PortalHarness.Operator,
            new AcceptRecommendation.Command(connectionId, "opt-cluster", OptimizationStrategy.Balance, shown.Fingerprint, "Spread opt-esx-1", ThresholdLevel: 5)));

        Assert.Equal(shown.Moves.Count, batch.Requests.Count);
        var saved = await Portal.Db(db => db.Requests.Where(q => q.BatchId == batch.Id).Select(q => new { q.VmId, q.Target.HostId, q.Kind }).ToListAsync());
        Assert.Equal(shown.Moves.Select(m => (m.VmId, m.ToHostId)).Order(), saved.Select(q => (q.VmId, q.HostId!)).Order());
        Assert.All(saved, q => Assert.Equal(Domain.Requests.MigrationKind.Compute, q.Kind));
        var audit = await Portal.Db(db => db.AuditEvents.Where(e => e.Action == AuditActions.RecommendationAccepted).ToListAsync());
        Assert.Single(audit);
        Assert.Contains(shown.Fingerprint, audit[0].Details);

        // The moved VMs now have active requests, so they are pinned: the plan differs and the old fingerprint is refused.
        var again = await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<AcceptRecommendation, BatchView>(u => u.HandleAsync(PortalHarness.Operator,
            new AcceptRecommendation.Command(connectionId, "opt-cluster", OptimizationStrategy.Balance, shown.Fingerprint, "Again", ThresholdLevel: 5))));
        Assert.Contains("changed since it was shown", again.Message);
        Assert.Equal(batch.Requests.Count, await Portal.Db(db => db.Requests.CountAsync(q => q.BatchId == batch.Id)));
    }

    [Fact]
    public async Task Recommendations_AreForOperatorsAndAdministrators_AndCheckTheirInput()
    {
        var connectionId = await SeedBalanceClusterAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => BalanceAsync(connectionId, user: Requester));
        await Assert.ThrowsAsync<ForbiddenException>(() => BalanceAsync(connectionId, user: Approver1));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ListOptimizationGroups, IReadOnlyList<OptimizationGroupView>>(u => u.HandleAsync(Auditor)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<AcceptRecommendation, BatchView>(u => u.HandleAsync(Requester,
            new AcceptRecommendation.Command(connectionId, "opt-cluster", OptimizationStrategy.Balance, "x", "y"))));
        await Assert.ThrowsAsync<NotFoundException>(() => BalanceAsync(Guid.NewGuid()));
        await Assert.ThrowsAsync<NotFoundException>(() => BalanceAsync(connectionId, cluster: "no-such-cluster"));

        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => BalanceAsync(connectionId, cluster: "a\0b", threshold: 9));
        Assert.Contains("ThresholdLevel", bad.Errors.Keys);
        Assert.Contains("ClusterName", bad.Errors.Keys);
        var accept = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<AcceptRecommendation, BatchView>(u => u.HandleAsync(PortalHarness.Operator,
            new AcceptRecommendation.Command(connectionId, "opt-cluster", (OptimizationStrategy)7, "", new string('x', 2001)))));
        Assert.Contains("Fingerprint", accept.Errors.Keys);
        Assert.Contains("Justification", accept.Errors.Keys);
        Assert.Contains("Strategy", accept.Errors.Keys);

        var groups = await Portal.Scoped<ListOptimizationGroups, IReadOnlyList<OptimizationGroupView>>(u => u.HandleAsync(PortalHarness.Admin));
        var opt = Assert.Single(groups, g => g.ClusterName == "opt-cluster");
        Assert.Equal(4, opt.HostCount);
        Assert.Equal(3, opt.UsableHostCount);
        Assert.Equal(5, opt.VmCount);
        Assert.Contains(groups, g => g.ClusterName == "Demo-Cluster-A");
    }

    /// <summary>
    /// End to end on the demo inventory: skewed measured load (every VM on demo-esx-a1 busy, the rest nearly idle), a balance
    /// recommendation accepted, the batch approved and run by the demo world, the inventory synced; then each host's load is
    /// recomputed from the VMs now on it and their demands, and must match the what-if within half a percentage point (the
    /// tolerance covers only float rounding: samples are stored as float).
    /// </summary>
    [Fact]
    public async Task AcceptedBalance_RunsAsABatch_AndTheHostLoadsAfterwardsMatchTheWhatIf()
    {
        var connectionId = await Portal.Db(db => db.Connections.Where(c => c.Kind == "demo").Select(c => c.Id).FirstAsync());
        var demand = new Dictionary<Guid, (double Cpu, double Memory)>();
        var now = Portal.Time.GetUtcNow().ToUnixTimeSeconds() / 300 * 300;
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            await db.UtilisationSamples.ExecuteDeleteAsync();
            foreach (var vm in await db.Vms.Where(v => v.ClusterName == "Demo-Cluster-A" && v.PowerState == PowerState.On).ToListAsync())
            {
                var cpu = vm.HostName == "demo-esx-a1" ? 3000f : 300f;
                var memory = (int)(vm.MemoryMb / 2);
                demand[vm.Id] = (cpu, memory);
                db.UtilisationSamples.Add(new UtilisationSample { SubjectId = vm.Id, ResolutionSeconds = 300, SlotStart = now - 300, CpuUsedMhz = cpu, MemoryUsedMb = memory });
            }
            await db.SaveChangesAsync();
        });

        var shown = await BalanceAsync(connectionId, "Demo-Cluster-A", threshold: 3);
        Assert.NotEmpty(shown.Moves);
        Assert.All(shown.Moves, m => Assert.Equal("demo-esx-a1", m.FromHostName));
        Assert.True(shown.ImbalanceAfter < shown.ImbalanceBefore);

        var batch = await Portal.Scoped<AcceptRecommendation, BatchView>(u => u.HandleAsync(PortalHarness.Operator,
            new AcceptRecommendation.Command(connectionId, "Demo-Cluster-A", OptimizationStrategy.Balance, shown.Fingerprint, "Spread demo-esx-a1", ThresholdLevel: 3)));
        await Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u =>
            u.HandleAsync(Approver1, new DecideBatch.Command(batch.Id, "Balance agreed"), Verdict.Approve));
        var dispatched = 0;
        for (var round = 0; round < 30 && dispatched < batch.Requests.Count; round++)
        {
            dispatched += await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync());
            var scheduled = await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id && r.State == RequestState.Scheduled).Select(r => r.Id).ToListAsync());
            foreach (var id in scheduled) await Portal.Scoped<RunMigration>(run => run.HandleAsync(id));
        }
        Assert.All(await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id).Select(r => r.State).ToListAsync()),
            state => Assert.Equal(RequestState.Succeeded, state));
        await Portal.Scoped<SyncInventory, SyncInventory.Result>(s => s.HandleAsync(PortalHarness.Operator, connectionId));

        var hosts = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == "Demo-Cluster-A").ToListAsync());
        var vms = await Portal.Db(db => db.Vms.Where(v => v.ClusterName == "Demo-Cluster-A").ToListAsync());
        foreach (var host in hosts)
        {
            var shownHost = shown.Hosts.Single(h => h.HostId == host.ExternalId);
            // The what-if's CPU capacity, from its own "before": the demand then on the host over its share.
            var cpuBefore = vms.Where(v => shown.Moves.All(m => m.VmId != v.Id) ? v.HostExternalId == host.ExternalId : shown.Moves.Single(m => m.VmId == v.Id).FromHostId == host.ExternalId)
                .Sum(v => demand.GetValueOrDefault(v.Id).Cpu);
            var cpuCapacity = cpuBefore / shownHost.CpuBefore;
            var onHost = vms.Where(v => v.HostExternalId == host.ExternalId).ToList();
            var cpuAfter = onHost.Sum(v => demand.GetValueOrDefault(v.Id).Cpu) / cpuCapacity;
            var memoryAfter = onHost.Sum(v => demand.GetValueOrDefault(v.Id).Memory) / host.MemoryMb;
            const double tolerance = 0.005;
            Assert.True(Math.Abs(cpuAfter - shownHost.CpuAfter) <= tolerance, $"{host.Name}: CPU {cpuAfter:0.####} measured, {shownHost.CpuAfter:0.####} shown");
            Assert.True(Math.Abs(memoryAfter - shownHost.MemoryAfter) <= tolerance, $"{host.Name}: memory {memoryAfter:0.####} measured, {shownHost.MemoryAfter:0.####} shown");
            Assert.True(Math.Abs(0.5 * cpuAfter + 0.5 * memoryAfter - shownHost.LoadAfter) <= tolerance, $"{host.Name}: load differs from the what-if");
            Assert.Equal(shownHost.VmsAfter, onHost.Count);
        }
    }

    [Fact]
    public async Task KvmHostGroup_IsTheConnectionsHostsWithoutACluster_NamedAsTheRulesPageNamesIt()
    {
        var kvm = await Portal.Db(db => db.Connections.FirstAsync(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoKvmWorldShape.Endpoint));
        var kvmHosts = await Portal.Db(db => db.Hosts.CountAsync(h => h.ConnectionId == kvm.Id));
        Assert.True(kvmHosts > 0);

        var groups = await Portal.Scoped<ListOptimizationGroups, IReadOnlyList<OptimizationGroupView>>(u => u.HandleAsync(PortalHarness.Operator));
        var group = Assert.Single(groups, g => g.ConnectionId == kvm.Id);
        Assert.Equal("", group.ClusterName);
        Assert.Equal($"{kvm.Name} (hosts without a cluster)", group.DisplayName);
        Assert.Equal(kvmHosts, group.HostCount);

        // No cluster given, or "", is that group.
        foreach (var cluster in new[] { null, "" })
        {
            var r = await BalanceAsync(kvm.Id, cluster!);
            Assert.Equal(group.DisplayName, r.GroupName);
            Assert.Equal(kvmHosts, r.Hosts.Count);
        }
    }
}

public sealed class SqliteRecommendationTests() : RecommendationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlRecommendationTests() : RecommendationTests(DatabaseProvider.PostgreSql);
