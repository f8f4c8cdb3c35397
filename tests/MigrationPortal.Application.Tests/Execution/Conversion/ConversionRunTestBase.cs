using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>
/// Conversion runs against the fake vCenter and libvirt host of <see cref="ConversionWorld"/>: a vSphere connection pinned
/// to a thumbprint, a libvirt connection reached over qemu+tls, one VM, and a request due now.
/// </summary>
public abstract class ConversionRunTestBase(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    public const string TargetHost = "qemu+tls://kvm-b.lab/system";

    protected readonly ConversionWorld World = new();

    protected Guid SourceConnectionId { get; private set; }
    protected Guid DestinationConnectionId { get; private set; }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Conversion:ShutdownTimeout"] = "00:00:45",
        ["Conversion:FirstBootTimeout"] = "00:01:30",
        ["Conversion:BootConsolePattern"] = "login:",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(World);
        services.AddKeyedScoped<IHypervisorConnector, FakeVSphereConnector>(ConnectionKinds.VSphere);
        services.AddKeyedScoped<IHypervisorConnector, FakeLibvirtConnector>(ConnectionKinds.Libvirt);
        services.AddSingleton<IDiskConverter, FakeDiskConverter>();
    }

    protected static ConversionSettings Mapping(bool keepIdentity = true, SourceAfterConversion after = SourceAfterConversion.KeepOffAndAnnotate) =>
        new(null, null, keepIdentity, after,
            [new NetworkMapping(ConversionWorld.SourceNetwork, NetworkTargetKind.Network, ConversionWorld.TargetNetwork)],
            [new StorageMapping(ConversionWorld.Datastore, ConversionWorld.Pool, ConvertedDiskFormat.Qcow2)]);

    /// <summary>Saves both connections, the VM and an auto-approved conversion request scheduled for now; returns the request's ID.</summary>
    protected async Task<Guid> SubmitConversionAsync(ConversionSettings? settings = null, bool pinned = true, string targetHost = TargetHost, bool allowUnencrypted = false, bool schedule = true)
    {
        var now = Portal.Time.GetUtcNow();
        return await Portal.Db(async db =>
        {
            var source = new Connection("vc-lab", ConnectionKinds.VSphere, "https://vc.lab/sdk", "administrator@vsphere.local")
            {
                PinnedThumbprint = pinned ? "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01" : null,
                AllowUnencryptedMigration = allowUnencrypted,
            };
            var destination = new Connection("kvm-lab", ConnectionKinds.Libvirt, targetHost) { AllowUnencryptedMigration = allowUnencrypted };
            db.Connections.AddRange(source, destination);
            var vm = new InventoryVm
            {
                ConnectionId = source.Id, ExternalId = World.Vm.ExternalId, Name = World.Vm.Name, PowerState = World.SourcePower,
                HostExternalId = "host-10", HostName = "esx-01", Datastores = ConversionWorld.Datastore, Cpus = 2, MemoryMb = 2048, Networks = ConversionWorld.SourceNetwork,
            };
            db.Vms.Add(vm);
            var request = new MigrationRequest(vm.Id, vm.Name, source.Id, null, null, null, ConversionWorld.Datastore, MigrationKind.CrossPlatform, false,
                new MigrationTarget(destination.Id, targetHost, "kvm-b", null, null, null), ScheduleWish.AsSoonAsApproved, "Leaving VMware",
                new MigrationOptions(TakeSnapshot: false), new Actor("rita", "Rita Requester"), now, conversion: settings ?? Mapping());
            request.Submit(new Actor("rita", "Rita Requester"), now, new ApprovalRequirement(ApprovalOutcome.AutoApprove, 0, null, "Auto-approved in the test."), TimeSpan.FromHours(1));
            if (schedule) request.ScheduleFor(now, Actor.System, now, "Due now.");
            db.Requests.Add(request);
            await db.SaveChangesAsync();
            SourceConnectionId = source.Id;
            DestinationConnectionId = destination.Id;
            return request.Id;
        });
    }

    protected Task RunAsync(Guid request, CancellationToken ct = default) => Portal.Scoped<RunMigration>(r => r.HandleAsync(request, ct));

    /// <summary>
    /// Runs until the world's fault at <paramref name="point"/> kills the run (its token cancelled mid-call, as a node
    /// dying would stop it: nothing after the point is recorded).
    /// </summary>
    protected async Task RunKilledAtAsync(Guid request, string point)
    {
        using var node = new CancellationTokenSource();
        World.Faults[point] = () =>
        {
            node.Cancel();
            return new OperationCanceledException("The node died.", node.Token);
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(request, node.Token));
    }

    protected Task<MigrationRequest> LoadAsync(Guid request) => Portal.RequestAsync(request);

    protected Task<List<string>> AuditMessagesAsync(Guid request) =>
        Portal.Db(db => db.AuditEvents.AsNoTracking().Where(e => e.RequestId == request).OrderBy(e => e.Sequence).Select(e => e.Details).ToListAsync());

    protected static string? StepMessage(MigrationRequest request, string step) => request.FindStep(step)?.Message;
}
