using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Evacuation;

/// <summary>Host evacuation on the demo inventory: 2 clusters of 3 hosts, 10 VMs per host, datastores mounted per cluster.</summary>
public abstract class EvacuationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string Source = "demo-esx-a1";

    private Task<InventoryHost> HostAsync(string name) => Portal.Db(db => db.Hosts.AsNoTracking().FirstAsync(h => h.Name == name));

    private async Task<EvacuationProposal> ProposeAsync(string hostName, PortalUser? user = null)
    {
        var host = await HostAsync(hostName);
        return await Portal.Scoped<ProposeEvacuation, EvacuationProposal>(u => u.HandleAsync(user ?? PortalHarness.Operator, host.Id));
    }

    /// <summary>Checks the proposal against the database's own hosts: no target gets more than its free memory.</summary>
    private async Task AssertNoTargetOverfilledAsync(EvacuationProposal proposal)
    {
        var hosts = await Portal.Db(db => db.Hosts.AsNoTracking().ToListAsync());
        foreach (var group in proposal.Moves.Where(m => m.Proposed is not null).GroupBy(m => m.Proposed!.TargetHostId))
        {
            var target = hosts.Single(h => h.ExternalId == group.Key);
            var committed = proposal.Targets.Single(t => t.ExternalId == group.Key).CommittedMb;
            Assert.True(target.MemoryUsedMb + committed + group.Sum(m => m.MemoryMb) <= target.MemoryMb,
                $"{target.Name}: {target.MemoryUsedMb} MB used + {committed} MB committed + {group.Sum(m => m.MemoryMb)} MB proposed > {target.MemoryMb} MB");
            Assert.Equal(group.Sum(m => m.MemoryMb), proposal.Targets.Single(t => t.ExternalId == group.Key).ProposedMb);
        }
    }

    [Fact]
    public async Task Proposal_OffersTheVmsOwnClusterAndAFewOthers_WhenTheConnectionHasManyHosts()
    {
        // Eight more hosts in a third cluster with a datastore of their own: 11 hosts outside the source's cluster.
        var source = await HostAsync(Source);
        await Portal.Db(async db =>
        {
            var names = Enumerable.Range(0, 8).Select(i => $"extra-esx-{i}").ToList();
            db.Hosts.AddRange(names.Select(n => new InventoryHost
                { ConnectionId = source.ConnectionId, ExternalId = n, Name = n, ClusterName = "extra-cluster", CpuCores = 64, MemoryMb = 1 << 20, MemoryUsedMb = 1024 }));
            db.Datastores.Add(new InventoryDatastore
                { ConnectionId = source.ConnectionId, ExternalId = "extra-ds", Name = "extra-ds", CapacityGb = 100_000, FreeGb = 90_000, MountedOnHosts = string.Join(",", names) });
            return await db.SaveChangesAsync();
        });

        var proposal = await ProposeAsync(Source);

        var ownCluster = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == source.ClusterName && h.Id != source.Id).Select(h => h.ExternalId).ToListAsync());
        Assert.All(proposal.Moves, m =>
        {
            Assert.Equal(ownCluster.Order(), m.Choices.Where(c => c.SameCluster).Select(c => c.TargetHostId).Order());
            Assert.Equal(ProposeEvacuation.OtherClusterChoices, m.Choices.Count(c => !c.SameCluster));
        });
        // The targets table lists only hosts some row offers, not all 13.
        var offered = proposal.Moves.SelectMany(m => m.Choices).Select(c => c.TargetHostId).ToHashSet();
        Assert.Equal(offered.Order(), proposal.Targets.Select(t => t.ExternalId).Order());
        Assert.True(proposal.Targets.Count < 13, $"{proposal.Targets.Count} targets listed");
    }

    [Fact]
    public async Task Proposal_MovesEveryVmOffTheHost_WithinItsClusterAndEveryTargetsMemory()
    {
        var onHost = await Portal.Db(db => db.Vms.Where(v => v.HostName == Source).Select(v => v.Id).ToListAsync());
        Assert.Equal(10, onHost.Count);

        var proposal = await ProposeAsync(Source);

        Assert.False(proposal.IsEmpty);
        Assert.Equal(onHost.Order(), proposal.Moves.Select(m => m.VmId).Order());
        Assert.All(proposal.Moves, m =>
        {
            Assert.NotNull(m.Proposed);
            Assert.NotEqual(Source, m.Proposed!.TargetHostName);
            // Same cluster, whose hosts mount the VM's datastores: a compute-only move.
            Assert.True(m.Proposed.SameCluster);
            Assert.Equal(MigrationKind.Compute, m.Proposed.Kind);
        });
        // The load spreads over both other hosts of the cluster.
        Assert.Equal(["demo-esx-a2", "demo-esx-a3"], proposal.Moves.Select(m => m.Proposed!.TargetHostName).Distinct().Order());
        await AssertNoTargetOverfilledAsync(proposal);
    }

    [Fact]
    public async Task Proposal_WhenTheClusterIsFull_MovesWithStorageToAnotherCluster_AndNeverOverfills()
    {
        // The cluster's other hosts have room for only a few VMs; one host of the other cluster is in maintenance.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            foreach (var h in await db.Hosts.Where(h => h.Name == "demo-esx-a2" || h.Name == "demo-esx-a3" || h.Name == "demo-esx-b1").ToListAsync())
            {
                if (h.Name == "demo-esx-a2") h.MemoryUsedMb = h.MemoryMb - 20_000;
                if (h.Name == "demo-esx-a3") h.MemoryUsedMb = h.MemoryMb - 9_000;
                if (h.Name == "demo-esx-b1") h.InMaintenance = true;
            }

            await db.SaveChangesAsync();
        });

        var proposal = await ProposeAsync(Source);

        Assert.All(proposal.Moves, m => Assert.NotNull(m.Proposed));
        await AssertNoTargetOverfilledAsync(proposal);
        Assert.DoesNotContain(proposal.Targets, t => t.Name == "demo-esx-b1");
        Assert.DoesNotContain(proposal.Moves.SelectMany(m => m.Choices), c => c.TargetHostName == "demo-esx-b1");
        var crossCluster = proposal.Moves.Where(m => !m.Proposed!.SameCluster).ToList();
        Assert.NotEmpty(crossCluster);
        // Cluster B's hosts do not mount cluster A's datastores: those VMs move with their storage to a B datastore.
        Assert.All(crossCluster, m =>
        {
            Assert.Equal(MigrationKind.ComputeAndStorage, m.Proposed!.Kind);
            Assert.StartsWith("demo-ds-b", m.Proposed.TargetDatastoreName);
        });
        Assert.All(proposal.Moves.Where(m => m.Proposed!.SameCluster), m => Assert.Equal(MigrationKind.Compute, m.Proposed!.Kind));
    }

    /// <summary>A nightly two-hour window (22:00 UTC) on the host being emptied: it covers every VM on it.</summary>
    private async Task<CalendarPeriodView> HostWindowAsync(InventoryHost host) =>
        await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(PortalHarness.Operator, null,
            new CalendarPeriodInput("a1 nightly", RecurrenceKind.Cron, "0 22 * * *", "UTC", new DateTime(2026, 1, 1, 22, 0, 0), 120,
                WindowScopeKind.Host, host.ConnectionId, host.ExternalId)));

    private static SubmitEvacuation.Command Evacuate(EvacuationProposal proposal, ScheduleMode mode, Guid? windowId = null) =>
        new("Firmware update", proposal.Moves.Select(m => new SubmitEvacuation.Move(m.VmId, m.Proposed!.TargetHostId, m.Proposed.Kind, m.Proposed.TargetDatastoreId)).ToList(),
            mode, WindowId: windowId);

    [Fact]
    public async Task SubmitEvacuation_PlansEveryMoveInsideTheWindow_WhenAWindowCoversTheHostsVms()
    {
        var host = await HostAsync(Source);
        var window = await HostWindowAsync(host);
        var proposal = await ProposeAsync(Source);
        // The page gets the window to offer, as the wizard's schedule step does.
        Assert.Equal([window.Id], proposal.Windows!.Windows.Select(w => w.Id));

        // "As soon as approved" is what the page used to send, with no way to choose: refused, naming the window.
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitEvacuation, BatchView>(u => u.HandleAsync(PortalHarness.Operator, host.Id,
            Evacuate(proposal, ScheduleMode.AsSoonAsApproved))));
        Assert.Contains(refused.Errors, e => e.Value.Any(m => m.Contains("'a1 nightly'", StringComparison.Ordinal)));

        var next = await Portal.Scoped<SubmitEvacuation, BatchView>(u => u.HandleAsync(PortalHarness.Operator, host.Id, Evacuate(proposal, ScheduleMode.NextWindow)));
        Assert.Equal(10, next.Requests.Count);
        var starts = await Portal.Db(db => db.Requests.Where(r => r.BatchId == next.Id).Select(r => r.PlannedStart).ToListAsync());
        Assert.All(starts, start => Assert.True(start is { } s && (s.UtcDateTime.Hour is 22 or 23), $"planned {start:u}, outside 22:00–24:00 UTC"));
        Assert.All(await Portal.Db(db => db.Requests.Where(r => r.BatchId == next.Id).Select(r => r.Schedule.WindowId).ToListAsync()), id => Assert.Null(id));
    }

    [Fact]
    public async Task SubmitEvacuation_KeepsTheChosenWindow_WhenOneIsNamed()
    {
        var host = await HostAsync(Source);
        var window = await HostWindowAsync(host);
        var proposal = await ProposeAsync(Source);

        var batch = await Portal.Scoped<SubmitEvacuation, BatchView>(u => u.HandleAsync(PortalHarness.Operator, host.Id, Evacuate(proposal, ScheduleMode.ChosenWindow, window.Id)));

        Assert.All(await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id).Select(r => r.Schedule.WindowId).ToListAsync()), id => Assert.Equal(window.Id, id));
    }

    [Fact]
    public async Task Evacuation_ApprovedAndExecuted_LeavesTheHostEmpty()
    {
        var proposal = await ProposeAsync(Source);
        var host = await HostAsync(Source);
        var batch = await Portal.Scoped<SubmitEvacuation, BatchView>(u => u.HandleAsync(PortalHarness.Operator, host.Id, new SubmitEvacuation.Command("Firmware update on " + Source,
            proposal.Moves.Select(m => new SubmitEvacuation.Move(m.VmId, m.Proposed!.TargetHostId, m.Proposed.Kind, m.Proposed.TargetDatastoreId)).ToList())));
        Assert.Equal(10, batch.Requests.Count);
        // The default policy wants an approver's decision, like any other batch.
        Assert.All(batch.Requests, r => Assert.Equal(RequestState.PendingApproval, r.State));
        Assert.Equal(0, await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync()));

        var decided = await Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Approver1, new DecideBatch.Command(batch.Id, "Maintenance agreed"), Verdict.Approve));
        Assert.All(decided, o => Assert.Equal(RequestState.Approved, o.State));
        // The dispatcher keeps to the concurrency limits (for example 2 Storage vMotions per host), so the batch starts in
        // waves: each round dispatches what the free slots allow and runs it; finished runs free their slots for the next.
        var dispatchedInAll = 0;
        for (var round = 0; round < 30 && dispatchedInAll < batch.Requests.Count; round++)
        {
            dispatchedInAll += await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync());
            var scheduled = await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id && r.State == RequestState.Scheduled).Select(r => r.Id).ToListAsync());
            foreach (var id in scheduled) await Portal.Scoped<RunMigration>(run => run.HandleAsync(id));
        }

        Assert.Equal(batch.Requests.Count, dispatchedInAll);
        Assert.All(await Portal.Db(db => db.Requests.Where(r => r.BatchId == batch.Id).Select(r => r.State).ToListAsync()), s => Assert.Equal(RequestState.Succeeded, s));

        // The host view shows it empty at once, and the hypervisor (the demo world) agrees.
        Assert.True((await ProposeAsync(Source)).IsEmpty);
        Assert.Equal(0, await Portal.Db(db => db.DemoVms.CountAsync(v => v.HostId == host.ExternalId)));

        // After the next inventory sync the inventory itself holds no VM on the host, and the hosts list says so.
        await Portal.Scoped<SyncInventory, SyncInventory.Result>(s => s.HandleAsync(PortalHarness.Operator, host.ConnectionId));
        Assert.Equal(0, await Portal.Db(db => db.Vms.CountAsync(v => v.HostExternalId == host.ExternalId)));
        var hosts = await Portal.Scoped<ListHosts, IReadOnlyList<HostSummary>>(u => u.HandleAsync(PortalHarness.Operator));
        Assert.Equal(0, hosts.Single(h => h.Name == Source).VmCount);
        Assert.Equal(60, hosts.Sum(h => h.VmCount));
        Assert.True((await ProposeAsync(Source)).IsEmpty);
    }

    [Fact]
    public async Task SecondEvacuation_CountsTheFirstOnesMoves_AndNeverTargetsTheHostBeingEmptied()
    {
        var first = await ProposeAsync(Source);
        var a1 = await HostAsync(Source);
        await Portal.Scoped<SubmitEvacuation, BatchView>(u => u.HandleAsync(PortalHarness.Operator, a1.Id, new SubmitEvacuation.Command("Firmware update",
            first.Moves.Select(m => new SubmitEvacuation.Move(m.VmId, m.Proposed!.TargetHostId, m.Proposed.Kind, m.Proposed.TargetDatastoreId)).ToList())));

        var second = await ProposeAsync("demo-esx-a2");

        Assert.DoesNotContain(second.Targets, t => t.Name == Source);
        Assert.All(second.Moves, m => Assert.DoesNotContain(m.Choices, c => c.TargetHostName == Source));
        var a3 = second.Targets.Single(t => t.Name == "demo-esx-a3");
        Assert.Equal(first.Moves.Where(m => m.Proposed!.TargetHostName == "demo-esx-a3").Sum(m => m.MemoryMb), a3.CommittedMb);
        await AssertNoTargetOverfilledAsync(second);

        // Sending a VM back to the host being emptied is refused on submit too.
        var a2 = await HostAsync("demo-esx-a2");
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitEvacuation, BatchView>(u => u.HandleAsync(PortalHarness.Operator, a2.Id,
            new SubmitEvacuation.Command("Firmware update", [new SubmitEvacuation.Move(second.Moves[0].VmId, a1.ExternalId)]))));
        Assert.Contains("being emptied", error.Errors["Moves[0].TargetHostId"][0]);
    }

    [Fact]
    public async Task SubmitEvacuation_RefusesAnEditedPlanThatOverfillsAHost_KeyedByMove()
    {
        // Shrink a2 so that all ten VMs on it would not fit, then send them all there.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            var a2 = await db.Hosts.FirstAsync(h => h.Name == "demo-esx-a2");
            a2.MemoryUsedMb = a2.MemoryMb - 30_000;
            await db.SaveChangesAsync();
        });
        var proposal = await ProposeAsync(Source);
        var host = await HostAsync(Source);
        var a2Id = (await HostAsync("demo-esx-a2")).ExternalId;
        var edited = proposal.Moves.Select(m => new SubmitEvacuation.Move(m.VmId, a2Id)).ToList();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitEvacuation, BatchView>(u =>
            u.HandleAsync(PortalHarness.Operator, host.Id, new SubmitEvacuation.Command("Firmware", edited))));

        Assert.Contains("Moves[0].TargetHostId", error.Errors.Keys);
        Assert.Contains("30000 MB free", error.Errors["Moves[0].TargetHostId"][0]);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task SubmitEvacuation_RefusesVmsNotOnTheHost_AndComputeOnlyMovesToHostsWithoutItsDatastores()
    {
        var host = await HostAsync(Source);
        var elsewhere = await Portal.Db(db => db.Vms.FirstAsync(v => v.HostName == "demo-esx-b2"));
        var mine = await Portal.Db(db => db.Vms.FirstAsync(v => v.HostName == Source));
        var b3 = await HostAsync("demo-esx-b3");

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitEvacuation, BatchView>(u =>
            u.HandleAsync(PortalHarness.Operator, host.Id, new SubmitEvacuation.Command("Firmware",
                [new SubmitEvacuation.Move(elsewhere.Id, b3.ExternalId), new SubmitEvacuation.Move(mine.Id, b3.ExternalId, MigrationKind.Compute)]))));

        Assert.Contains("Moves[0].VmId", error.Errors.Keys);
        Assert.Contains("does not mount", error.Errors["Moves[1].TargetHostId"][0]);
    }

    [Fact]
    public async Task Evacuation_IsForOperatorsAndAdministrators_Only()
    {
        var host = await HostAsync(Source);
        await Assert.ThrowsAsync<ForbiddenException>(() => ProposeAsync(Source, Requester));
        await Assert.ThrowsAsync<ForbiddenException>(() => ProposeAsync(Source, Approver1));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SubmitEvacuation, BatchView>(u =>
            u.HandleAsync(Requester, host.Id, new SubmitEvacuation.Command("x", []))));
        Assert.NotEmpty((await ProposeAsync(Source, PortalHarness.Admin)).Moves);
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<ProposeEvacuation, EvacuationProposal>(u => u.HandleAsync(PortalHarness.Operator, Guid.NewGuid())));
    }
}

public sealed class SqliteEvacuationTests() : EvacuationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlEvacuationTests() : EvacuationTests(DatabaseProvider.PostgreSql);
