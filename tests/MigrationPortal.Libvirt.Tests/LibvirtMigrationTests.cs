using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using static MigrationPortal.Libvirt.Tests.LabPortal;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The libvirt connector through the portal's own use cases (submit, dispatch, run, cancel, reconcile) against the
/// two real libvirtd hosts and the real QEMU guest of tests/lab/libvirt. Each test starts from the guest running on A
/// with its disk in pool images, and asserts both the request's end state and where the guest really is.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LibvirtMigrationTests : IAsyncLifetime
{
    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"mp-libvirt-test-{Guid.NewGuid():N}.db");
    private LabPortal _portal = null!;
    private Guid _connectionId;

    private string ImagesOn(string hostUri) => $"{hostUri}#images";
    private string FastOn(string hostUri) => $"{hostUri}#fast";

    public async Task InitializeAsync()
    {
        await _lab.ResetAsync();
        _portal = await StartAsync(_database);
        _connectionId = await _portal.AddLabConnectionAsync(_lab);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        foreach (var f in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(f);
        _lab.RestoreCa();
    }

    [Fact]
    public async Task SyncInventory_ListsGuestOnHostA_WithDiskMemoryAndApplication()
    {
        var result = await _portal.SyncAsync(_connectionId);
        Assert.Equal(2, result.Hosts);
        Assert.Equal(4, result.Datastores); // images and fast on each host

        var vm = await _portal.GuestAsync(_lab);
        Assert.Equal(_lab.GuestUuid, vm.ExternalId);
        Assert.Equal(_lab.AUri, vm.HostExternalId);
        Assert.Equal("lab-a", vm.HostName);
        Assert.Equal(PowerState.On, vm.PowerState);
        Assert.Equal(128, vm.MemoryMb);
        Assert.Equal(1, vm.Cpus);
        Assert.Equal("images@lab-a", vm.Datastores);
        Assert.Contains($"vda: {_lab.GuestDisk} (qcow2, 16 MiB)", vm.Disks);
        Assert.Equal("payments", vm.ApplicationTag);
        var hosts = await _portal.Db(db => db.Hosts.Where(h => h.ConnectionId == _connectionId).OrderBy(h => h.Name).Select(h => h.Name).ToListAsync());
        Assert.Equal(["lab-a", "lab-b"], hosts);

        var test = await _portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(Admin, _connectionId));
        Assert.True(test.Succeeded, test.Message);
        Assert.Contains("host lab-b", test.Message);

        // A libvirt snapshot (internal, with the guest running) is counted by the sync and blocks the move at precheck.
        Assert.Equal(0, vm.SnapshotCount);
        await _lab.VirshAsync(_lab.AUri, "snapshot-create-as", _lab.Guest, "mp-test-snapshot");
        try
        {
            await _portal.SyncAsync(_connectionId);
            Assert.Equal(1, (await _portal.GuestAsync(_lab)).SnapshotCount);
            var preview = await _portal.Scoped<PreviewRequest, RequestPreview>(u => u.HandleAsync(Requester,
                new SubmitRequest.Command(vm.Id, MigrationKind.ComputeAndStorage, true, _lab.BUri, ImagesOn(_lab.BUri), "Lab test move")));
            Assert.Contains(preview.Findings, f => f.Severity == FindingSeverity.Critical && f.Code == "existing-snapshots" && f.Message.Contains("1 libvirt snapshot"));
        }
        finally
        {
            await _lab.VirshAsync(_lab.AUri, "snapshot-delete", _lab.Guest, "mp-test-snapshot");
        }
    }

    [Fact]
    public async Task LiveMigration_OverTls_Succeeds_GuestKeepsCountingOnB_AndDowntimeIsRecorded()
    {
        var vm = await _portal.GuestAsync(_lab);
        var fromLine = _lab.SerialLineCount();
        var before = _lab.Counters();
        await using var capture = await PacketCapture.StartAsync(_lab.BNetns!, "mplab-b");
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri), snapshot: true);

        await _portal.RunAsync(request.Id);

        var firstBytes = await capture.StopAsync();
        var details = await _portal.DetailsAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.AUri), "the guest is still defined on A");
        Assert.True(await _lab.DefinedOnAsync(_lab.BUri));

        // The same boot keeps counting on B: it was never restarted.
        var last = before[^1].Value;
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(_lab.LastCounter() > last + 3), TimeSpan.FromSeconds(20), "the counter to keep increasing on B");
        var counters = _lab.Counters(fromLine);
        Assert.All(counters, c => Assert.Equal(before[^1].Boot, c.Boot));
        Assert.All(counters.Zip(counters.Skip(1)), pair => Assert.True(pair.Second.Value >= pair.First.Value, $"counter went back from {pair.First.Value} to {pair.Second.Value}"));

        var stored = await _portal.RequestAsync(request.Id);
        Assert.NotNull(stored.DowntimeMs);
        Assert.InRange(stored.DowntimeMs!.Value, 1, 10_000);
        Assert.Contains("TLS", stored.EncryptionApplied);
        Assert.Contains(await _portal.AuditDetailsAsync(request.Id), d => d.Contains("downtime of"));
        Assert.Equal(100, details.Progress!.Percent);

        // The disk backup copy was taken before the move and removed after it.
        var snapshot = Assert.Single(stored.Steps, s => s.Name == "snapshot");
        Assert.Equal(StepStatus.Succeeded, snapshot.Status);
        Assert.Contains("disk-backup", snapshot.Message);
        Assert.DoesNotContain(Directory.GetFiles(_lab.AImagesDir), f => f.Contains(".backup-"));

        // On the wire: every connection to B's migration ports (memory stream and NBD disk copy) carries a TLS handshake
        // record within its first payloads, and none starts QEMU's plaintext stream ("QEVM").
        Assert.True(firstBytes.Count >= 2, $"expected the memory stream and the disk copy, saw {firstBytes.Count} connection(s)");
        Assert.All(firstBytes, flow =>
        {
            Assert.Contains(flow.Value, p => p.Length >= 2 && p[0] == 0x16 && p[1] == 0x03);
            Assert.DoesNotContain(flow.Value, p => p.AsSpan().IndexOf("QEVM"u8) >= 0);
        });
    }

    [Fact]
    public async Task LiveMigration_WithStorageCopyToAnotherPool_MarkerReadsBackOnB_AndRollBackReturnsIt()
    {
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, FastOn(_lab.BUri));
        var serialLine = _lab.SerialLineCount();
        var boot = _lab.Counters()[^1].Boot;

        await _portal.RunAsync(request.Id);

        var details = await _portal.DetailsAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        var moved = $"{LibvirtLab.FastPath}/{_lab.Guest}.qcow2";
        Assert.Equal(moved, await _lab.DiskPathAsync(_lab.BUri));
        Assert.Equal(moved, await _lab.DiskPathAsync(_lab.BUri, inactive: true));
        Assert.True(File.Exists(Path.Combine(_lab.BFastDir, $"{_lab.Guest}.qcow2")));
        // The guest re-reads its disk every 10 ticks after dropping caches: this marker line comes from B's copy.
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(_lab.SerialLinesAfter(serialLine).Any(l => l.StartsWith($"MP-MARKER {_lab.Marker}"))),
            TimeSpan.FromSeconds(25), "the marker to be read from the disk on B");
        var synced = await _portal.SyncAsync(_connectionId);
        Assert.Equal("fast@lab-b", (await _portal.GuestAsync(_lab)).Datastores);
        Assert.Equal(2, synced.Hosts);

        // An operator rolls the move back: the guest returns to A, into pool images, still the same boot.
        await _portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(Operator, new RollBackRequest.Command(request.Id, "Back after the test")));
        await _portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));
        var rolledBack = await _portal.RequestAsync(request.Id);
        Assert.True(rolledBack.State == RequestState.RolledBack, $"{rolledBack.State}: {rolledBack.FailureReason}");
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.Equal(_lab.GuestDisk, await _lab.DiskPathAsync(_lab.AUri));
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
        Assert.All(_lab.Counters(serialLine), c => Assert.Equal(boot, c.Boot));
    }

    [Fact]
    public async Task StorageMigration_WithinHostA_PivotsToThePoolAndKeepsTheMarker()
    {
        var stored = await MoveDiskToFastOnAAsync();

        Assert.False(File.Exists(Path.Combine(_lab.AImagesDir, $"{_lab.Guest}.qcow2")), "the original image should be gone after the move");
        // which of libvirt's ways around the persistent-domain refusal was used
        Assert.Contains("transient block job", Assert.Single(stored.Steps, s => s.Name == "transfer").Message);
    }

    [Fact]
    public async Task StorageMigration_TheRedefineWay_UndefinesCopiesPivotsAndDefinesAgain_KeepingTheMarker()
    {
        // libvirt's older documented way around the persistent-domain refusal, forced by configuration because libvirt 9
        // accepts the transient job: the definition is kept, the domain undefined, copied, pivoted and defined again.
        await _portal.DisposeAsync();
        _portal = await StartAsync(_database, new Dictionary<string, string?> { ["Libvirt:BlockCopyWay"] = "Redefine" });

        var stored = await MoveDiskToFastOnAAsync();

        Assert.True(await _lab.PersistentOnAsync(_lab.AUri), "the domain must be persistent again after the copy");
        Assert.Contains("undefine, copy, pivot, define again", Assert.Single(stored.Steps, s => s.Name == "transfer").Message);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"mp-libvirt-{_lab.GuestUuid}-*.xml")); // the kept definition is cleaned up
    }

    /// <summary>
    /// A storage move of the guest's disk from pool images to pool fast on host A: it succeeds, the guest stays on A, both
    /// its live and persistent definitions use the new path, and the guest reads its marker from the copied disk.
    /// </summary>
    private async Task<MigrationRequest> MoveDiskToFastOnAAsync()
    {
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.Storage, null, FastOn(_lab.AUri));
        var serialLine = _lab.SerialLineCount();

        await _portal.RunAsync(request.Id);

        var stored = await _portal.RequestAsync(request.Id);
        Assert.True(stored.State == RequestState.Succeeded, stored.FailureReason);
        Assert.Equal("a", await _lab.RunningOnAsync());
        var moved = $"{LibvirtLab.FastPath}/{_lab.Guest}.qcow2";
        Assert.Equal(moved, await _lab.DiskPathAsync(_lab.AUri));
        Assert.Equal(moved, await _lab.DiskPathAsync(_lab.AUri, inactive: true)); // the persistent definition follows the pivot
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(_lab.SerialLinesAfter(serialLine).Any(l => l.StartsWith($"MP-MARKER {_lab.Marker}"))),
            TimeSpan.FromSeconds(25), "the marker to be read from the copied disk");
        return stored;
    }

    [Fact]
    public async Task Cancel_MidMigration_EndsCancelled_AndGuestKeepsRunningOnA()
    {
        var vm = await _portal.GuestAsync(_lab);
        await _lab.LabAsync("throttle", "16mbit");
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri));
        var run = _portal.RunAsync(request.Id);
        await WaitForProgressAsync(request.Id, run);

        await _portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(Operator, new CancelRequest.Command(request.Id, "Wrong window")));
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        var stored = await _portal.RequestAsync(request.Id);
        Assert.True(stored.State == RequestState.Cancelled, $"{stored.State}: {stored.FailureReason}");
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
        var counter = _lab.LastCounter();
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(_lab.LastCounter() > counter + 1), TimeSpan.FromSeconds(15), "the guest to keep counting on A");
    }

    [Fact]
    public async Task LinkCut_MidMigration_FailsWithLibvirtsReason_AndGuestKeepsRunningOnA()
    {
        var vm = await _portal.GuestAsync(_lab);
        await _lab.LabAsync("throttle", "16mbit");
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri));
        var run = _portal.RunAsync(request.Id);
        await WaitForProgressAsync(request.Id, run);

        await _lab.LabAsync("cut-link");
        await run.WaitAsync(TimeSpan.FromSeconds(120));

        var stored = await _portal.RequestAsync(request.Id);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("libvirt", stored.FailureReason);
        // libvirt's own text ("client socket is closed", "keepalive timeout") names no host: the portal says which.
        Assert.Contains("lab-a (", stored.FailureReason);
        Assert.Contains("the migration to lab-b", stored.FailureReason);
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
    }

    [Fact]
    public async Task Migration_IsRefusedByThePrecheck_AndNothingStarts_WhenTheDomainHasALibvirtSnapshot()
    {
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri));
        await _lab.VirshAsync(_lab.AUri, "snapshot-create-as", _lab.Guest, "mp-test-snapshot");
        try
        {
            await _portal.RunAsync(request.Id);

            var stored = await _portal.RequestAsync(request.Id);
            Assert.Equal(RequestState.Failed, stored.State);
            Assert.Contains("1 libvirt snapshot", stored.FailureReason);
            Assert.Null(stored.OperationId);
            Assert.All(stored.Steps.Where(s => s.Name is not (ItinerarySteps.Precheck or ItinerarySteps.CleanUp or ItinerarySteps.CleanUpLeftovers)), s => Assert.Null(s.StartedAt));
            // The clean-up steps run on every ending; here they find nothing to remove.
            Assert.Contains(stored.Steps, s => s.Name == ItinerarySteps.CleanUp && s.Message == "No snapshot to remove.");
            Assert.Equal("a", await _lab.RunningOnAsync());
            Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
        }
        finally
        {
            await _lab.VirshAsync(_lab.AUri, "snapshot-delete", _lab.Guest, "mp-test-snapshot");
        }
    }

    [Fact]
    public async Task Migration_FailsNamingTheSourceHostAndTheMissingFile_WhenTheSourceHostHasNoClientCaCertificate()
    {
        // In a peer-to-peer TLS migration the source daemon connects to the destination with its own PKI, in libvirt's
        // default places; the portal cannot see those files, so the failure itself must say what is missing where.
        var vm = await _portal.GuestAsync(_lab);
        _lab.RemoveCaOfA();
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri));

        await _portal.RunAsync(request.Id);

        var stored = await _portal.RequestAsync(request.Id);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("lab-a (", stored.FailureReason);
        Assert.Contains("cannot read its own CA certificate '/etc/pki/CA/cacert.pem'", stored.FailureReason);
        Assert.Contains("to connect to lab-b", stored.FailureReason);
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
    }

    [Fact]
    public async Task SyncInventory_SizesADiskThePoolHadNotSeen_ByRefreshingThePoolFirst()
    {
        var moved = await CopyDiskToFastBehindThePoolsBackAsync();

        await _portal.SyncAsync(_connectionId);

        Assert.Contains($"vda: {moved} (qcow2, 16 MiB)", (await _portal.GuestAsync(_lab)).Disks);
    }

    [Fact]
    public async Task Precheck_CountsADiskThePoolHadNotSeen_ByRefreshingItsPoolFirst()
    {
        var vm = await _portal.GuestAsync(_lab);
        await CopyDiskToFastBehindThePoolsBackAsync();

        var preview = await _portal.Scoped<PreviewRequest, RequestPreview>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.ComputeAndStorage, true, _lab.BUri, ImagesOn(_lab.BUri), "Lab test move")));

        Assert.Contains(preview.Findings, f => f.Code == "pool-room" && f.Severity == FindingSeverity.Advisory && f.Message.Contains("the disks need 16 MiB"));
        Assert.DoesNotContain(preview.Findings, f => f.Code == "disk-size-unknown");
    }

    [Fact]
    public async Task Precheck_IsCritical_SayingEjectItFirst_WhenACdromIsoIsOnlyOnTheSource_AndPassesOnceItIsOnTheDestinationToo()
    {
        // A second domain (never started) with a CD-ROM whose ISO is in A's pool images only; libvirt copies no CD-ROM.
        const string name = "mp-media";
        var iso = $"{LibvirtLab.ImagesPath}/{name}.iso";
        await File.WriteAllBytesAsync(Path.Combine(_lab.AImagesDir, $"{name}.iso"), new byte[1024 * 1024]);
        var xml = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(xml, $"""
            <domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
              <metadata><mp:app xmlns:mp="urn:migrationportal:1">{Environment.GetEnvironmentVariable("LIBVIRT_LAB_GUEST_APP")}</mp:app></metadata>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <devices><disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='{iso}'/><target dev='hdc' bus='ide'/><readonly/></disk></devices>
            </domain>
            """);
        try
        {
            await _lab.VirshAsync(_lab.AUri, "define", xml);
            await _portal.SyncAsync(_connectionId);
            var vm = await _portal.Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.Name == name));
            var move = new SubmitRequest.Command(vm.Id, MigrationKind.ComputeAndStorage, true, _lab.BUri, ImagesOn(_lab.BUri), "Lab test move");

            var missing = await _portal.Scoped<PreviewRequest, RequestPreview>(u => u.HandleAsync(Requester, move));
            File.Copy(Path.Combine(_lab.AImagesDir, $"{name}.iso"), Path.Combine(_lab.BImagesDir, $"{name}.iso"));
            var present = await _portal.Scoped<PreviewRequest, RequestPreview>(u => u.HandleAsync(Requester, move));

            var finding = Assert.Single(missing.Findings, f => f.Code == "media-missing");
            Assert.Equal(FindingSeverity.Critical, finding.Severity);
            Assert.Contains(iso, finding.Message);
            Assert.Contains("not on lab-b", finding.Message);
            Assert.Contains("Eject it first", finding.Message);
            Assert.DoesNotContain(present.Findings, f => f.Code is "media-missing" or "media-unchecked");
            Assert.DoesNotContain("mp-probe", await _lab.VirshAsync(_lab.BUri, "pool-list", "--all", "--name")); // the look-up's transient pool is gone
        }
        finally
        {
            await _lab.VirshAsync(_lab.AUri, "undefine", name);
            File.Delete(xml);
        }
    }

    [Fact]
    public async Task Precheck_FindsTheGuestsKernelAndInitrdOnTheDestination_OutsideAnyPool()
    {
        var vm = await _portal.GuestAsync(_lab);

        var preview = await _portal.Scoped<PreviewRequest, RequestPreview>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.ComputeAndStorage, true, _lab.BUri, ImagesOn(_lab.BUri), "Lab test move")));

        Assert.DoesNotContain(preview.Findings, f => f.Code is "boot-file-missing" or "media-unchecked" or "media-missing");
        Assert.DoesNotContain("mp-probe", await _lab.VirshAsync(_lab.BUri, "pool-list", "--all", "--name"));
    }

    /// <summary>
    /// Moves the guest's disk into pool fast on A with virsh, without a pool refresh: the pool does not list the new file,
    /// which is how a disk written behind libvirt's back (or by another tool) looks to the portal.
    /// </summary>
    private async Task<string> CopyDiskToFastBehindThePoolsBackAsync()
    {
        var moved = $"{LibvirtLab.FastPath}/{_lab.Guest}.qcow2";
        await _lab.VirshAsync(_lab.AUri, "blockcopy", _lab.Guest, "vda", moved, "--format", "qcow2", "--wait", "--pivot", "--transient-job");
        Assert.DoesNotContain(_lab.Guest, await _lab.VirshAsync(_lab.AUri, "vol-list", "fast")); // the pool has not seen it
        return moved;
    }

    [Fact]
    public async Task Migration_FailsWithTlsError_AndNothingMoves_WhenTheDestinationCertificateIsNotTrusted()
    {
        var vm = await _portal.GuestAsync(_lab);
        _lab.ReplaceCaOfA(LibvirtLab.ForeignCaPem());
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri));

        await _portal.RunAsync(request.Id);

        var stored = await _portal.RequestAsync(request.Id);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("certificate", stored.FailureReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
        Assert.Empty(Directory.GetFiles(_lab.BImagesDir)); // not even the disk was pre-created
    }

    [Fact]
    public async Task UnencryptedMigration_IsRefusedBeforeAnythingStarts_WhenNoPolicyAllowsIt()
    {
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri), encrypted: false);

        await _portal.RunAsync(request.Id);

        var stored = await _portal.RequestAsync(request.Id);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("Unencrypted migration is not allowed", stored.FailureReason);
        Assert.Null(stored.OperationId);
        Assert.All(stored.Steps.Where(s => s.Name is not (ItinerarySteps.Precheck or ItinerarySteps.CleanUp or ItinerarySteps.CleanUpLeftovers)), s => Assert.Null(s.StartedAt));
        // The clean-up steps run on every ending; here they find nothing to remove.
        Assert.Contains(stored.Steps, s => s.Name == ItinerarySteps.CleanUp && s.Message == "No snapshot to remove.");
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
        Assert.Empty(Directory.GetFiles(_lab.BImagesDir)); // libvirt was never asked to pre-create the disk on B
    }

    [Fact]
    public async Task PortalKilledMidMigration_IsReconciledAfterRestart_WithoutStartingTheMigrationTwice()
    {
        var vm = await _portal.GuestAsync(_lab);
        var fromLine = _lab.SerialLineCount();
        var boot = _lab.Counters()[^1].Boot;
        await _lab.LabAsync("throttle", "24mbit");
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, ImagesOn(_lab.BUri));
        await _portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await _portal.DisposeAsync();

        // A real second process runs the job and is killed with SIGKILL once the migration is under way.
        using var child = StartPortalProcess(request.Id);
        var childOutput = new System.Text.StringBuilder();
        child.OutputDataReceived += (_, e) => { lock (childOutput) childOutput.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { lock (childOutput) childOutput.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        await using (var watcher = await StartAsync(_database))
        {
            await LibvirtLab.WaitUntilAsync(async () => child.HasExited || (await watcher.RequestAsync(request.Id)).OperationId is not null,
                TimeSpan.FromSeconds(60), "the portal process to start the transfer");
            Assert.False(child.HasExited, $"the portal process ended early: {childOutput}");
            var progressed = await Record.ExceptionAsync(() => LibvirtLab.WaitUntilAsync(async () =>
                (await watcher.Db(db => db.Progress.AsNoTracking().FirstOrDefaultAsync(p => p.RequestId == request.Id)))?.BytesTransferred > 0, TimeSpan.FromSeconds(30), "progress"));
            Assert.True(progressed is null, $"no progress from the portal process; it wrote: {childOutput}; request: {(await watcher.RequestAsync(request.Id)).FailureReason}");
        }

        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RequestState.Running, (await ReadRequestAsync(request.Id)).State);
        await _lab.LabAsync("unthrottle");

        // "Restart": a new process on the same database, after the stale-heartbeat limit.
        _portal = await StartAsync(_database, clockOffset: ReconcileStaleMigrations.StaleAfter + TimeSpan.FromSeconds(5));
        var stale = await _portal.Scoped<ReconcileStaleMigrations, IReadOnlyList<Guid>>(r => r.HandleAsync());
        Assert.Equal([request.Id], stale);
        await _portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));

        // libvirtd carried out the peer-to-peer migration on its own after the portal died; the portal reports that truth.
        var stored = await _portal.RequestAsync(request.Id);
        Assert.True(stored.State == RequestState.Succeeded, stored.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.AUri));
        var audit = await _portal.AuditDetailsAsync(request.Id);
        Assert.Single(audit, d => d.Contains("Transfer started as hypervisor operation"));
        Assert.Contains(audit, d => d.Contains("reconcile"));
        Assert.All(_lab.Counters(fromLine), c => Assert.Equal(boot, c.Boot));
    }

    private async Task<MigrationRequest> ReadRequestAsync(Guid id)
    {
        await using var reader = await StartAsync(_database);
        return await reader.RequestAsync(id);
    }

    private Process StartPortalProcess(Guid requestId)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "run-migration", _database, requestId.ToString() }) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    private async Task WaitForProgressAsync(Guid requestId, Task run) =>
        await LibvirtLab.WaitUntilAsync(async () =>
        {
            if (run.IsCompleted) await run; // surfaces a failure instead of timing out
            var progress = await _portal.Db(db => db.Progress.AsNoTracking().FirstOrDefaultAsync(p => p.RequestId == requestId));
            return progress?.BytesTransferred > 0;
        }, TimeSpan.FromSeconds(60), "the migration to report progress");
}
