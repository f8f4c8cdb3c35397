using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Mappings;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.VSphere.Tests.Lab;
using Xunit.Abstractions;
using static MigrationPortal.Libvirt.Tests.LabPortal;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// Issue 12 end to end, on both real labs: the vCenter simulator serving conv-vm (a BIOS-bootable boot disk and an ext4
/// data disk holding a marker and a payload; tests/lab/vcsim/conversion-fixture.sh) and the libvirt lab's host B over
/// TLS. A requester asks for VMware → KVM through the use cases the API and the wizard call, an approver approves, and
/// the job runs the conversion itinerary with the real connectors and the real qemu-img converter. The converted guest
/// must boot on B and print, on its serial console, the marker and the sha256 of the payload it read from its own disk.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ConversionEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Bridge = "mpconvbr0";
    private const string Pool = "images";
    private static readonly PortalUser Approver = TestUsers.Approver1;

    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"mp-conversion-{Guid.NewGuid():N}.db");
    private IReadOnlyDictionary<string, string> _fixture = null!;
    private VcsimLab _vcenter = null!;
    private LabPortal _portal = null!;
    private Guid _vsphere;
    private Guid _libvirt;

    public async Task InitializeAsync()
    {
        await _lab.ResetAsync();
        _fixture = await ConversionFixture.LoadAsync();
        _vcenter = await ConversionFixture.StartLabAsync(_fixture);
        await _vcenter.ConfigureAsync(new JsonObject { ["guestShutdownDelay"] = "500ms" });
        // The mapped NIC needs something to attach to on B: a bridge of B's own, as a host's br0 would be.
        await LibvirtLab.RunAsync("ip", ["netns", "exec", _lab.BNetns!, "ip", "link", "add", Bridge, "type", "bridge"], check: false);
        await LibvirtLab.RunAsync("ip", ["netns", "exec", _lab.BNetns!, "ip", "link", "set", Bridge, "up"]);
        await RemoveConvertedDomainAsync();
        _portal = await StartPortalAsync(new Dictionary<string, string?>());
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _vcenter.DisposeAsync();
        await RemoveConvertedDomainAsync();
        await LibvirtLab.RunAsync("ip", ["netns", "exec", _lab.BNetns!, "ip", "link", "del", Bridge], check: false);
        foreach (var f in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(f);
    }

    [Fact]
    public async Task Conversion_BootsTheGuestOnKvmWithItsOwnDisk_AndLeavesTheSourceOffAndAnnotated_WhenARequesterAsksAndAnApproverApproves()
    {
        var clock = Stopwatch.StartNew();
        var request = await SubmitAndApproveAsync();
        var approvedAt = clock.Elapsed;
        await _portal.RunAsync(request.Id);
        var booted = clock.Elapsed - approvedAt;

        var stored = await _portal.RequestAsync(request.Id);
        var audit = await _portal.AuditDetailsAsync(request.Id);
        output.WriteLine($"approval to booted guest: {booted.TotalSeconds:0.0} s; request {stored.State}: {stored.FailureReason}");
        foreach (var step in stored.Steps.OrderBy(s => s.Order)) output.WriteLine($"  {step.Name}: {step.Status} ({(step.EndedAt - step.StartedAt)?.TotalSeconds:0.0} s) {step.Message}");
        Assert.True(stored.State == RequestState.Succeeded, $"{stored.State}: {stored.FailureReason}\n{string.Join("\n", audit)}");

        // The source: powered off, annotated, its disks exported through a lease that was completed, never aborted.
        var source = await _vcenter.VmAsync(ConversionFixture.Vm);
        Assert.Equal("poweredOff", source["powerState"]?.GetValue<string>());
        var leases = await _vcenter.LeasesAsync();
        Assert.Single(leases);
        Assert.Equal("done", leases[0]["state"]!.GetValue<string>());

        // The destination: one domain, running on B, with the source's UUID and MAC, on virtio disks in the pool.
        var xml = await _lab.VirshAsync(_lab.BUri, "dumpxml", ConversionFixture.Vm);
        Assert.Contains($"<uuid>{_fixture["VM_UUID"]}</uuid>", xml);
        Assert.Contains($"<mac address='{_fixture["VM_MAC"]}'/>", xml, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("bus='virtio'", xml);
        Assert.Contains(request.Id.ToString(), xml); // metadata naming the request
        Assert.Contains("running", await _lab.VirshAsync(_lab.BUri, "domstate", ConversionFixture.Vm));
        Assert.Single(await DomainsOnBAsync(), d => d == ConversionFixture.Vm);

        // The guest read its own converted disk: the marker and the payload's sha256, as printed on its serial console.
        var bootNote = audit.Single(a => a.Contains("MIGRATIONPORTAL-MARKER"));
        Assert.Contains($"MIGRATIONPORTAL-MARKER {_fixture["MARKER"]}", bootNote);
        Assert.Contains($"PAYLOAD-SHA256 {_fixture["PAYLOAD_SHA256"]}", bootNote);

        // Every step of the itinerary ran and is in the audit trail, encryption of both legs recorded.
        string[] steps = [ItinerarySteps.Precheck, ItinerarySteps.ConfirmEncryption, ItinerarySteps.StorePowerState, ItinerarySteps.ShutDown, ItinerarySteps.Export,
            ItinerarySteps.CopyDisks, ItinerarySteps.DefineDomain, ItinerarySteps.FirstBoot, ItinerarySteps.CommitOrRollBack];
        foreach (var step in steps)
        {
            Assert.Contains(stored.Steps, s => s.Name == step && s.Status == StepStatus.Succeeded);
            Assert.Contains(audit, a => a.Contains($"\"{step}\"") && a.Contains("succeeded"));
        }

        Assert.NotNull(stored.EncryptionApplied);
        output.WriteLine($"encryption: {stored.EncryptionApplied}");

        // The request links both identities, and the inventory shows the VM on its new connection after the syncs it queued.
        var details = await _portal.DetailsAsync(request.Id);
        Assert.Equal(ConversionFixture.Vm, details.Conversion?.Domain?.Name);
        await _portal.SyncAsync(_libvirt);
        Assert.True(await _portal.Db(db => db.Vms.AnyAsync(v => v.ConnectionId == _libvirt && v.Name == ConversionFixture.Vm)));
    }

    [Fact]
    public async Task Conversion_FailsBeforeAnyByteMoves_AndLeavesTheSourceOn_WhenTheVCenterPinIsWrong()
    {
        var request = await SubmitAndApproveAsync();
        await _portal.RunAs(Admin).SendAsync<SaveConnection, ConnectionView>((u, user) => u.HandleAsync(user, new SaveConnection.Command(_vsphere, "vcsim", ConnectionKinds.VSphere,
            _vcenter.SdkUrl.ToString(), VcsimLab.User, null, new string('A', 64).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b), false)));

        await _portal.RunAsync(request.Id);

        var stored = await _portal.RequestAsync(request.Id);
        output.WriteLine($"{stored.State}: {stored.FailureReason}");
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("certificate", stored.FailureReason, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _vcenter.LeasesAsync());
        Assert.Equal(0, await _vcenter.CallsAsync("ExportVm"));
        Assert.Equal("poweredOn", (await _vcenter.VmAsync(ConversionFixture.Vm))["powerState"]?.GetValue<string>());
        Assert.DoesNotContain(ConversionFixture.Vm, await DomainsOnBAsync());
    }

    [Fact]
    public async Task Conversion_PowersTheSourceOnAgainAndLeavesNothingOnB_WhenExportVmIsRefused()
    {
        var request = await SubmitAndApproveAsync();
        await _vcenter.InjectFaultAsync("ExportVm", "NoPermission", "Permission to perform this operation was denied.", entity: ConversionFixture.Vm);

        await _portal.RunAsync(request.Id);

        await AssertRolledBackAsync(request.Id, "NoPermission");
    }

    [Fact]
    public async Task Conversion_PowersTheSourceOnAgainAndLeavesNothingOnB_WhenTheLeaseIsAbortedMidStream()
    {
        var request = await SubmitAndApproveAsync();
        await _vcenter.InjectAsync(new JsonObject { ["method"] = "ExportVm", ["entity"] = ConversionFixture.Vm, ["abortLeaseAfterBytes"] = 96L * 1024 * 1024 });

        await _portal.RunAsync(request.Id);

        await AssertRolledBackAsync(request.Id, "lease");
        Assert.Equal("error", (await _vcenter.LeasesAsync()).Single()["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Conversion_RollsBack_WhenTheFirstBootNeverAnswers()
    {
        // A portal of its own, whose boot probe waits for a line the guest never prints.
        await _portal.DisposeAsync();
        foreach (var f in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(f);
        _portal = await StartPortalAsync(new Dictionary<string, string?>
        {
            ["Conversion:BootConsolePattern"] = "THIS-LINE-IS-NEVER-PRINTED",
            ["Conversion:FirstBootTimeout"] = "00:00:10",
        });
        var request = await SubmitAndApproveAsync();

        await _portal.RunAsync(request.Id);

        await AssertRolledBackAsync(request.Id, "did not answer");
    }

    [Fact]
    public async Task Conversion_ResumesOnTheSameExportAndBootsOneDomain_WhenThePortalProcessIsKilledMidCopy()
    {
        var request = await SubmitAndApproveAsync();

        // A real second portal process runs the job on the same database and is killed with SIGKILL while copy-disks
        // streams the second (data) disk: the boot disk's volume is finished, the data disk's is half uploaded.
        var killAt = 128L * 1024 * 1024;
        using var child = PortalChild.Start(_database, request.Id, Settings(new Dictionary<string, string?>()));
        var qemuImg = new List<int>();
        try
        {
            await LibvirtLab.WaitUntilAsync(async () =>
            {
                if (child.HasExited) return true;
                var progress = await _portal.Db(db => db.Progress.AsNoTracking().FirstOrDefaultAsync(p => p.RequestId == request.Id));
                return progress?.BytesTransferred > killAt;
            }, TimeSpan.FromMinutes(3), $"copy-disks in the portal process to move {killAt >> 20} MiB");
            Assert.False(child.HasExited, $"the portal process ended before it could be killed: {child.Output}");
            qemuImg.AddRange(PortalChild.ChildrenNamed(child.Id, "qemu-img"));
            child.Kill(); // SIGKILL to the portal alone, as `kill -9 <pid>`: its qemu-img is not killed with it
        }
        finally
        {
            child.KillIfRunning();
        }

        // The transfer dies with the portal: qemu-img loses both its NBD ends and exits, nothing keeps writing into B.
        Assert.NotEmpty(qemuImg);
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(qemuImg.All(p => !PortalChild.IsRunning(p))), TimeSpan.FromSeconds(30),
            $"the killed portal's qemu-img ({string.Join(", ", qemuImg)}) to exit");
        var interrupted = await _portal.RequestAsync(request.Id);
        var progressAtKill = await _portal.Db(db => db.Progress.AsNoTracking().FirstAsync(p => p.RequestId == request.Id));
        output.WriteLine($"killed at {progressAtKill.BytesTransferred >> 20} of {progressAtKill.BytesTotal >> 20} MiB; volumes on B: {string.Join(", ", await VolumesOnBAsync())}");
        Assert.Equal(RequestState.Running, interrupted.State);
        Assert.Equal(StepStatus.Running, interrupted.FindStep(ItinerarySteps.CopyDisks)?.Status);
        Assert.True(progressAtKill.BytesTransferred < progressAtKill.BytesTotal, "the kill landed after the copy had finished");
        Assert.Null(interrupted.FindStep(ItinerarySteps.DefineDomain));
        Assert.DoesNotContain(ConversionFixture.Vm, await DomainsOnBAsync());
        var lease = Assert.Single(await _vcenter.LeasesAsync());
        Assert.Equal("ready", lease["state"]!.GetValue<string>()); // nobody ended it: the dead portal cannot
        output.WriteLine($"before the restart: ExportVm {await _vcenter.CallsAsync("ExportVm")}, HttpNfcLeaseAbort {await _vcenter.CallsAsync("HttpNfcLeaseAbort")}");

        // "Restart": a new portal on the same database, after the stale-heartbeat limit; reconciliation queues the request.
        await _portal.DisposeAsync();
        _portal = await StartAsync(_database, Settings(new Dictionary<string, string?>()), clockOffset: ReconcileStaleMigrations.StaleAfter + TimeSpan.FromSeconds(5));
        Assert.Equal([request.Id], await _portal.Scoped<ReconcileStaleMigrations, IReadOnlyList<Guid>>(r => r.HandleAsync()));
        await _portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));

        // By design a copy is resumed, never rolled back: the export the dead run opened is still ready, so it is re-attached,
        // the volumes are made again from scratch, and the itinerary goes on to one domain that boots from them.
        var stored = await _portal.RequestAsync(request.Id);
        var audit = await _portal.AuditDetailsAsync(request.Id);
        output.WriteLine($"{stored.State}: {stored.FailureReason}\n{string.Join("\n", audit)}\nleases: {string.Join("; ", await _vcenter.LeasesAsync())}\n" +
            $"ExportVm {await _vcenter.CallsAsync("ExportVm")}, HttpNfcLeaseAbort {await _vcenter.CallsAsync("HttpNfcLeaseAbort")}, HttpNfcLeaseComplete {await _vcenter.CallsAsync("HttpNfcLeaseComplete")}");
        Assert.True(stored.State == RequestState.Succeeded, $"{stored.State}: {stored.FailureReason}\n{string.Join("\n", audit)}");
        Assert.DoesNotContain("Rolled back", stored.FindStep(ItinerarySteps.CommitOrRollBack)?.Message ?? "");
        Assert.DoesNotContain(stored.Steps, s => s.Status == StepStatus.Failed);

        // Exactly one domain with the VM's name and UUID on B, running, on exactly the two volumes the request names.
        Assert.Single(await DomainsOnBAsync(), d => d == ConversionFixture.Vm);
        var uuids = (await _lab.VirshAsync(_lab.BUri, "list", "--all", "--uuid")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(uuids, u => string.Equals(u, _fixture["VM_UUID"], StringComparison.OrdinalIgnoreCase));
        Assert.Contains("running", await _lab.VirshAsync(_lab.BUri, "domstate", ConversionFixture.Vm));
        Assert.Equal([$"{ConversionFixture.Vm}-disk0", $"{ConversionFixture.Vm}-disk1"],
            (await VolumesOnBAsync()).Where(v => v.StartsWith(ConversionFixture.Vm, StringComparison.Ordinal)).Order());

        // The guest read the whole payload from the resumed data disk: a half-copied volume would not give its sha256.
        var bootNote = audit.Single(a => a.Contains("MIGRATIONPORTAL-MARKER"));
        Assert.Contains($"PAYLOAD-SHA256 {_fixture["PAYLOAD_SHA256"]}", bootNote);

        // The source: left off, exported once, through the one lease, completed and never aborted.
        Assert.Equal("poweredOff", (await _vcenter.VmAsync(ConversionFixture.Vm))["powerState"]?.GetValue<string>());
        Assert.Equal(1, await _vcenter.CallsAsync("ExportVm"));
        Assert.Equal(0, await _vcenter.CallsAsync("HttpNfcLeaseAbort"));
        Assert.Equal(1, await _vcenter.CallsAsync("HttpNfcLeaseComplete"));
        Assert.Equal("done", Assert.Single(await _vcenter.LeasesAsync())["state"]!.GetValue<string>());

        // The audit: the take-over, the resume at copy-disks, the re-attached export; every step started once, and only
        // copy-disks (the one interrupted) was reconciled.
        Assert.Contains(audit, a => a.Contains("Taken over by node"));
        Assert.Single(audit, a => a.Contains("Resuming at step copy-disks"));
        Assert.Single(audit, a => a.Contains("Interrupted while copying disks"));
        Assert.Single(audit, a => a.Contains($"Re-attached to export {lease["id"]!.GetValue<string>()}"));
        var started = audit.Select(StepEvent).Where(e => e?.Status == "started").Select(e => e!.Value.Step).ToList();
        foreach (var step in stored.Steps.Where(s => s.Status != StepStatus.Skipped)) Assert.Single(started, s => s == step.Name);
    }

    /// <summary>The step and status of a job-step audit record ({"step":…,"status":…}), or null for any other record.</summary>
    private static (string Step, string Status)? StepEvent(string details)
    {
        try
        {
            return JsonNode.Parse(details) is JsonObject o && o["step"]?.GetValue<string>() is { } step && o["status"]?.GetValue<string>() is { } status
                ? (step, status) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>What every portal of these tests runs with, the killed process included.</summary>
    private static Dictionary<string, string?> Settings(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Libvirt:ConvertedDomainType", "qemu"); // the lab's /dev/kvm is listed but fails (LAB.md)
        settings.TryAdd("Conversion:FirstBootTimeout", "00:04:00");
        settings.TryAdd("Conversion:ShutdownTimeout", "00:00:20");
        settings.TryAdd("VSphere:ApplicationTagCategory", "Application"); // conv-vm's application comes from its vSphere tag
        return settings;
    }

    private async Task<LabPortal> StartPortalAsync(Dictionary<string, string?> settings)
    {
        var portal = await StartAsync(_database, Settings(settings));
        // The destination over TLS (the lab's CA, the portal's client certificate): both legs of a conversion are encrypted.
        var pem = (string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)!);
        _libvirt = (await portal.RunAs(Admin).SendAsync<SaveConnection, ConnectionView>((u, user) => u.HandleAsync(user, new SaveConnection.Command(null, ConnectionName, ConnectionKinds.Libvirt,
            $"{_lab.ATlsUri}\n{_lab.BTlsUri}", null, null, null, false, pem("LIBVIRT_LAB_CA_CERT"), pem("LIBVIRT_LAB_CLIENT_CERT"), pem("LIBVIRT_LAB_CLIENT_KEY"))))).Id;
        await portal.SyncAsync(_libvirt);
        await _vcenter.TagVmAsync(ConversionFixture.Vm, "Application", "conversion");
        _vsphere = (await portal.RunAs(Admin).SendAsync<SaveConnection, ConnectionView>((u, user) => u.HandleAsync(user, new SaveConnection.Command(null, "vcsim", ConnectionKinds.VSphere,
            _vcenter.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, _vcenter.Thumbprint, false)))).Id;
        await portal.SyncAsync(_vsphere);
        var app = await portal.Db(db => db.Applications.FirstAsync(a => a.Name == "conversion"));
        await portal.KnowUserAsync(Requester);
        await portal.RunAs(Admin).SendAsync<SetApplicationOwners>((u, user) => u.HandleAsync(user, new SetApplicationOwners.Command(app.Id, "prod", "high", [new(OwnerKind.User, Requester.Id)])));
        // An approver decides: one approval for every conversion.
        await portal.RunAs(Admin).SendAsync<SetApprovalRules>((u, user) => u.HandleAsync(user, [new SetApprovalRules.Rule("conversions need one approval", ApprovalOutcome.RequireApprovals, 1, Kind: MigrationKind.CrossPlatform)]));
        await portal.RunAs(Admin).SendAsync<SaveNetworkMap, NetworkMapView>((u, user) => u.HandleAsync(user,
            new SaveNetworkMap.Command(null, null, "lab networks", _vsphere, _libvirt, [new SaveNetworkMap.Entry(_fixture.GetValueOrDefault("NETWORK", "VM Network"), NetworkTargetKind.Bridge, Bridge)])));
        await portal.RunAs(Admin).SendAsync<SaveStorageMap, StorageMapView>((u, user) => u.HandleAsync(user,
            new SaveStorageMap.Command(null, null, "lab storage", _vsphere, _libvirt, [new SaveStorageMap.Entry(_fixture.GetValueOrDefault("DATASTORE", "LocalDS_0"), Pool, ConvertedDiskFormat.Raw)])));
        return portal;
    }

    /// <summary>The requester asks for VMware → KVM to host B with the pair's maps inherited; the approver approves.</summary>
    private async Task<RequestSummary> SubmitAndApproveAsync()
    {
        var vm = await _portal.Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.ConnectionId == _vsphere && v.Name == ConversionFixture.Vm));
        var submitted = await _portal.RunAs(Requester).SendAsync<SubmitRequest, RequestSummary>((u, user) => u.HandleAsync(user,
            new SubmitRequest.Command(vm.Id, MigrationKind.CrossPlatform, false, _lab.BTlsUri, null, "Leaving VMware for KVM", TargetConnectionId: _libvirt)));
        Assert.Equal(RequestState.PendingApproval, submitted.State);
        return await _portal.RunAs(Approver).SendAsync<ApproveRequest, RequestSummary>((u, user) => u.HandleAsync(user, new ApproveRequest.Command(submitted.Id, "Approved for the KVM move.")));
    }

    private async Task AssertRolledBackAsync(Guid requestId, string reasonContains)
    {
        var stored = await _portal.RequestAsync(requestId);
        var commit = stored.FindStep(ItinerarySteps.CommitOrRollBack);
        output.WriteLine($"{stored.State}: {stored.FailureReason}\nroll-back: {commit?.Status} {commit?.Message}");
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains(reasonContains, stored.FailureReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(StepStatus.Succeeded, commit?.Status);
        Assert.Equal("poweredOn", (await _vcenter.VmAsync(ConversionFixture.Vm))["powerState"]?.GetValue<string>());
        Assert.DoesNotContain(ConversionFixture.Vm, await DomainsOnBAsync());
        Assert.DoesNotContain(await VolumesOnBAsync(), v => v.StartsWith(ConversionFixture.Vm, StringComparison.Ordinal));
        Assert.DoesNotContain(await _vcenter.LeasesAsync(), l => l["state"]!.GetValue<string>() is "ready" or "initializing");
    }

    private async Task<IReadOnlyList<string>> DomainsOnBAsync() =>
        (await _lab.VirshAsync(_lab.BUri, "list", "--all", "--name")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<IReadOnlyList<string>> VolumesOnBAsync()
    {
        await _lab.VirshAsync(_lab.BUri, "pool-refresh", Pool);
        return (await _lab.VirshAsync(_lab.BUri, "vol-list", Pool)).Split('\n').Skip(2).Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0).ToList();
    }

    /// <summary>A domain and volumes an earlier run of these tests left on B.</summary>
    private async Task RemoveConvertedDomainAsync()
    {
        await LibvirtLab.RunAsync("virsh", ["-c", _lab.BUri, "destroy", ConversionFixture.Vm], check: false);
        await LibvirtLab.RunAsync("virsh", ["-c", _lab.BUri, "undefine", ConversionFixture.Vm, "--nvram"], check: false);
        foreach (var volume in (await VolumesOnBAsync()).Where(v => v.StartsWith(ConversionFixture.Vm, StringComparison.Ordinal)))
            await LibvirtLab.RunAsync("virsh", ["-c", _lab.BUri, "vol-delete", volume, "--pool", Pool], check: false);
    }
}
