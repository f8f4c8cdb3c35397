using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Demo;

/// <summary>
/// The demo world can do a VMware → KVM conversion end to end: a requester's demo VM, with the maps the portal made,
/// converted by the real conversion itinerary (and the real qemu-img converter) from the demo vCenter-like connection to
/// the demo KVM connection, and rolled back when the first boot never answers.
/// </summary>
public abstract class DemoConversionTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Demo:BootDelay"] = "00:00:00.200",
        ["Conversion:FirstBootTimeout"] = "00:00:10",
    };

    private Task<Connection> DemoConnectionAsync(string endpoint) => Portal.Db(db => db.Connections.AsNoTracking().FirstAsync(c => c.Kind == ConnectionKinds.Demo && c.Endpoint == endpoint));

    /// <summary>A powered-on VM of the requester's application on the demo vCenter-like connection.</summary>
    private async Task<InventoryVm> RequesterVmAsync(Guid vcenterId) => await Portal.Db(db => db.Vms.AsNoTracking()
        .Where(v => v.ConnectionId == vcenterId && v.PowerState == PowerState.On && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp))
        .OrderBy(v => v.Name).FirstAsync());

    private async Task<(InventoryVm Vm, Connection Kvm, Guid RequestId)> SubmitConversionAsync()
    {
        await Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, [new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove)]));
        var vcenter = await DemoConnectionAsync(DemoWorldShape.Endpoint);
        var kvm = await DemoConnectionAsync(DemoKvmWorldShape.Endpoint);
        var vm = await RequesterVmAsync(vcenter.Id);
        var submitted = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.CrossPlatform, false, DemoKvmWorldShape.Hosts[0].Id, null, "Leaving VMware (demo)", TakeSnapshot: false,
                TargetConnectionId: kvm.Id)));
        return (vm, kvm, submitted.Id);
    }

    [Fact]
    public async Task Initialize_CreatesTheDemoKvmConnectionWithMapsCoveringEveryDemoVm_WhenNoRealConnectionExists()
    {
        var vcenter = await DemoConnectionAsync(DemoWorldShape.Endpoint);
        var kvm = await DemoConnectionAsync(DemoKvmWorldShape.Endpoint);

        Assert.Equal(DemoKvmWorldShape.ConnectionName, kvm.Name);
        Assert.True(kvm.IsDemo);
        var kvmHosts = await Portal.Db(db => db.Hosts.Where(h => h.ConnectionId == kvm.Id).OrderBy(h => h.Name).Select(h => h.Name).ToListAsync());
        Assert.Equal(["demo-kvm-1", "demo-kvm-2"], kvmHosts);
        var pools = await Portal.Db(db => db.Datastores.Where(d => d.ConnectionId == kvm.Id).OrderBy(d => d.Name).Select(d => d.Name).ToListAsync());
        Assert.Equal([DemoKvmWorldShape.BulkPool, DemoKvmWorldShape.FastPool], pools);
        Assert.Equal(0, await Portal.Db(db => db.Vms.CountAsync(v => v.ConnectionId == kvm.Id)));

        // Every demo VM's networks and datastores are mapped, so any of them can be converted with the inherited maps.
        var networkMap = await Portal.Db(db => db.NetworkMaps.AsNoTracking().SingleAsync(m => m.SourceConnectionId == vcenter.Id && m.DestinationConnectionId == kvm.Id));
        var storageMap = await Portal.Db(db => db.StorageMaps.AsNoTracking().SingleAsync(m => m.SourceConnectionId == vcenter.Id && m.DestinationConnectionId == kvm.Id));
        var vms = await Portal.Db(db => db.Vms.AsNoTracking().Where(v => v.ConnectionId == vcenter.Id).ToListAsync());
        Assert.Equal(60, vms.Count);
        Assert.All(vms.SelectMany(v => ConversionChoices.Names(v.Networks)), n => Assert.Contains(networkMap.Entries, e => e.SourceNetwork == n));
        Assert.All(vms.SelectMany(v => ConversionChoices.Names(v.Datastores)), d => Assert.Contains(storageMap.Entries, e => e.SourceDatastore == d));
        Assert.Contains(vms, v => v.Networks == DemoWorldShape.DmzNetwork);
    }

    [Fact]
    public async Task RunMigration_ConvertsTheDemoVmOntoTheDemoKvmConnection_WhenARequesterAsksForVmwareToKvm()
    {
        var (vm, kvm, requestId) = await SubmitConversionAsync();

        await Portal.RunAsync(requestId);

        var request = await Portal.RequestAsync(requestId);
        Assert.True(request.State == RequestState.Succeeded, $"{request.State}: {request.FailureReason}");
        Assert.Equal(
            [ItinerarySteps.Precheck, ItinerarySteps.ConfirmEncryption, ItinerarySteps.StorePowerState, ItinerarySteps.ShutDown, ItinerarySteps.Export,
             ItinerarySteps.CopyDisks, ItinerarySteps.DefineDomain, ItinerarySteps.FirstBoot, ItinerarySteps.CommitOrRollBack],
            request.Steps.OrderBy(s => s.Order).Select(s => s.Name).ToList());
        Assert.All(request.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));

        // The source: left powered off, annotated with the request, and still in the vCenter-like world.
        var source = await Portal.Db(db => db.DemoVms.AsNoTracking().FirstAsync(v => v.Id == vm.ExternalId));
        Assert.Equal("poweredOff", source.PowerState);
        Assert.StartsWith("demo-host-", source.HostId);
        var notes = await Portal.Scoped<IConnectorResolver, IReadOnlyList<string>>(c => ((DemoConnector)c.Resolve(ConnectionKinds.Demo)).ReadNotesAsync(vm.ExternalId, default));
        Assert.Contains(notes, n => n.Contains(requestId.ToString()));

        // The destination: a domain with the source's name and BIOS UUID, booted, on the chosen KVM host, and one volume
        // holding the synthetic disk's data and no more (the holes were not written).
        var converted = await Portal.Db(db => db.DemoVms.AsNoTracking().SingleAsync(v => v.Name == vm.Name && v.Id != vm.ExternalId));
        Assert.Equal(DemoConnector.BiosUuidOf(vm.ExternalId), converted.Id);
        Assert.Equal(DemoKvmWorldShape.Hosts[0].Id, converted.HostId);
        Assert.Equal("poweredOn", converted.PowerState);
        Assert.Equal(DemoKvmWorldShape.FastPool, converted.Datastore);
        var volume = Assert.Single(await Portal.Db(db => db.DemoTasks.AsNoTracking().Where(t => t.Id.StartsWith("demo-vol-")).ToListAsync()));
        Assert.Equal(DemoSyntheticDisk.DataBytes, volume.DurationMs);
        Assert.Equal(17L << 20, DemoSyntheticDisk.DataBytes);

        // After the sync the commit queued, the inventory shows the VM on the demo KVM connection, owned as before.
        Assert.Contains(kvm.Id, Portal.Jobs.Syncs);
        await Portal.SyncAsync(kvm.Id);
        var row = await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.ConnectionId == kvm.Id));
        Assert.Equal(vm.Name, row.Name);
        Assert.Equal("demo-kvm-1", row.HostName);
        Assert.Equal(PowerState.On, row.PowerState);
        Assert.Equal(vm.ApplicationId, row.ApplicationId);
        Assert.Contains(vm.Name, request.Steps.Single(s => s.Name == ItinerarySteps.CommitOrRollBack).Message);
    }

    [Fact]
    public async Task RunMigration_RemovesTheConvertedVmAndPowersTheSourceOnAgain_WhenTheFirstBootNeverAnswers()
    {
        // The demo console prints a login prompt; a probe that waits for something else never sees it.
        await Portal.DisposeAsync();
        Portal = await PortalHarness.StartAsync(Provider, ConnectionString, settings: new Dictionary<string, string?>(Settings)
        {
            ["Conversion:BootConsolePattern"] = "MARKER-[0-9a-f]{64}",
        });
        var (vm, _, requestId) = await SubmitConversionAsync();

        await Portal.RunAsync(requestId);

        var request = await Portal.RequestAsync(requestId);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Contains("did not answer", request.Steps.Single(s => s.Name == ItinerarySteps.FirstBoot).Message);
        var source = await Portal.Db(db => db.DemoVms.AsNoTracking().FirstAsync(v => v.Id == vm.ExternalId));
        Assert.Equal("poweredOn", source.PowerState);
        Assert.Equal(0, await Portal.Db(db => db.DemoVms.CountAsync(v => v.HostId.StartsWith("demo-kvm-"))));
        Assert.Equal(0, await Portal.Db(db => db.DemoTasks.CountAsync(t => t.Id.StartsWith("demo-vol-"))));
        var export = await Portal.Db(db => db.DemoTasks.AsNoTracking().SingleAsync(t => t.Id.StartsWith("demo-export-")));
        Assert.Equal(DemoTaskStates.Succeeded, export.State);
    }
    /// <summary>One 5-minute sample per slot lying wholly within [from, to), as the collector stores them.</summary>
    private Task SeedAsync(Guid vmId, DateTimeOffset from, DateTimeOffset to, float cpuMhz, int memoryMb, float readyPercent) => Portal.Scoped<PortalDbContext>(async db =>
    {
        var slot = (from.ToUnixTimeSeconds() + UtilisationSample.RawSeconds - 1) / UtilisationSample.RawSeconds * UtilisationSample.RawSeconds;
        for (; slot + UtilisationSample.RawSeconds <= to.ToUnixTimeSeconds(); slot += UtilisationSample.RawSeconds)
            db.UtilisationSamples.Add(new UtilisationSample
            {
                SubjectId = vmId, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = slot, CpuUsedMhz = cpuMhz, MemoryUsedMb = memoryMb, CpuReadyPercent = readyPercent,
            });
        await db.SaveChangesAsync();
    });

    /// <summary>
    /// A conversion is watched like a move (issue 15 §4: every request): before is the source VM on vSphere, after is the
    /// domain it became on KVM, found once the sync lists it. CPU used is judged, memory is not (the platforms report
    /// different things), and no roll-back request is offered: the page and the API say how to go back instead.
    /// </summary>
    [Fact]
    public async Task Watch_ComparesTheSourceOnVsphereWithTheConvertedDomainOnKvm_AndSaysHowToGoBack_WhenTheConversionRegressed()
    {
        var (vm, kvm, requestId) = await SubmitConversionAsync();
        await Portal.RunAsync(requestId);
        Assert.Equal(RequestState.Succeeded, (await Portal.RequestAsync(requestId)).State);
        var watch = await Portal.Db(db => db.PostMoveWatches.AsNoTracking().SingleAsync(w => w.RequestId == requestId));
        Assert.Equal((WatchState.Watching, vm.Id), (watch.State, watch.VmId));

        await Portal.SyncAsync(kvm.Id);
        var converted = await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.ConnectionId == kvm.Id));
        await SeedAsync(vm.Id, watch.BeforeFrom, watch.MoveStartedAt, cpuMhz: 800, memoryMb: 1_000, readyPercent: 1);
        // The powered-off source keeps reporting (nothing): its samples after the move must not be read as "after".
        await SeedAsync(vm.Id, watch.StartedAt, watch.EndsAt + TimeSpan.FromMinutes(5), cpuMhz: 0, memoryMb: 0, readyPercent: 0);
        await SeedAsync(converted.Id, watch.StartedAt, watch.EndsAt + TimeSpan.FromMinutes(5), cpuMhz: 2_400, memoryMb: 4_000, readyPercent: 2);

        Portal.Time.Advance(watch.EndsAt - Portal.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Portal.Scoped<EvaluatePostMoveWatches, int>(u => u.HandleAsync()));

        var ended = await Portal.Db(db => db.PostMoveWatches.AsNoTracking().SingleAsync(w => w.RequestId == requestId));
        Assert.True(ended.State == WatchState.Regressed, $"{ended.State}: {ended.Summary}");
        var details = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Requester, requestId));
        var view = details.Watch!;
        var cpu = view.Figures.Single(f => f.Measure == PostMoveComparison.CpuUsed);
        Assert.Equal((800d, 2_400d, true), (cpu.Before, cpu.After, cpu.Regressed));
        var memory = view.Figures.Single(f => f.Measure == PostMoveComparison.MemoryUsed);
        Assert.Equal((1_000d, 4_000d, false), (memory.Before, memory.After, memory.Regressed));
        Assert.All(view.After, p => Assert.Equal(2_400, p.CpuUsedMhz));
        Assert.NotEmpty(view.After);
        Assert.All(view.Before, p => Assert.Equal(800, p.CpuUsedMhz));
        Assert.Equal(PostMoveWatchView.ConversionComparison, view.Comparison);
        Assert.False(view.CanRollBack);
        Assert.Equal(PostMoveWatchView.ConversionRollBack, view.NoRollBack);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(Requester, requestId)));
        Assert.Equal(PostMoveWatchView.ConversionRollBack, refused.Message);
        Assert.Equal(1, await Portal.Db(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task Watch_EndsWithoutAVerdictAndSaysWhy_WhenTheConvertedDomainNeverReachedTheInventory()
    {
        var (vm, _, requestId) = await SubmitConversionAsync();
        await Portal.RunAsync(requestId);
        var watch = await Portal.Db(db => db.PostMoveWatches.AsNoTracking().SingleAsync(w => w.RequestId == requestId));
        await SeedAsync(vm.Id, watch.BeforeFrom, watch.MoveStartedAt, cpuMhz: 800, memoryMb: 1_000, readyPercent: 1);
        await SeedAsync(vm.Id, watch.StartedAt, watch.EndsAt + TimeSpan.FromMinutes(5), cpuMhz: 0, memoryMb: 0, readyPercent: 0);

        Portal.Time.Advance(watch.EndsAt - Portal.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Portal.Scoped<EvaluatePostMoveWatches, int>(u => u.HandleAsync()));

        var ended = await Portal.Db(db => db.PostMoveWatches.AsNoTracking().SingleAsync(w => w.RequestId == requestId));
        Assert.Equal(WatchState.InsufficientData, ended.State);
        Assert.Contains("not in the destination's inventory yet", ended.Summary);
    }
}

public sealed class SqliteDemoConversionTests() : DemoConversionTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlDemoConversionTests() : DemoConversionTests(DatabaseProvider.PostgreSql);
