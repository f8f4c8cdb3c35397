using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests.Connections;

/// <summary>
/// A wrong pinned thumbprint is refused on every call the portal makes to vCenter, not only by "Test connection":
/// inventory sync (vim25 SOAP, and the vAPI REST tagging path), the approvers' precheck, the migration and the rollback
/// all fail with the certificate reason, before a single SOAP call reaches the simulator, and change nothing.
/// </summary>
public sealed class PinEnforcementTests
{
    private const string Vm = "DC0_C0_RP0_VM0";
    private const string CertificateReason = "CertificateNotTrusted: The certificate's SHA-256 thumbprint";
    private static readonly string WrongPin = new('C', 64);

    private static Task<List<(string Name, string? HostName, string? ApplicationTag)>> InventoryAsync(VSpherePortal portal) =>
        portal.Db(async db => (await db.Vms.OrderBy(v => v.Name).Select(v => new { v.Name, v.HostName, v.ApplicationTag }).ToListAsync())
            .Select(v => (v.Name, v.HostName, v.ApplicationTag)).ToList());

    [Fact]
    public async Task Sync_FailsWithCertificateReason_AndKeepsInventory_WhenPinIsWrong()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(300));
        var (lab, portal) = (session.Lab, session.Portal);
        var before = await InventoryAsync(portal);
        // vCenter changes after the last good sync: a sync that got through would rewrite the VM's host.
        var other = await lab.HostOfVmAsync(Vm) == "DC0_C0_H0" ? "DC0_C0_H1" : "DC0_C0_H0";
        await MoveInLabAsync(session, Vm, other);
        await portal.EditConnectionAsync(session.ConnectionId, lab, pin: WrongPin);
        await lab.ResetCallsAsync();

        var error = await Assert.ThrowsAsync<ConnectorException>(() => portal.SyncAsync(session.ConnectionId));

        Assert.StartsWith(CertificateReason, $"{error.FaultType}: {error.Message}");
        Assert.Equal(before, await InventoryAsync(portal));
        Assert.StartsWith(CertificateReason, await portal.Db(db => db.Connections.Where(c => c.Id == session.ConnectionId).Select(c => c.LastSyncError).FirstAsync()));
        Assert.Equal(0, await lab.CallsAsync("RetrieveServiceContent"));
        Assert.Equal(0, await lab.CallsAsync("Login"));
        Assert.Equal(0, await lab.CallsAsync("RetrievePropertiesEx"));
    }

    [Fact]
    public async Task Sync_FailsWithCertificateReason_AndMapsNoTag_WhenPinIsWrongAndTagCategoryIsSet()
    {
        await using var session = await LabSession.StartAsync(settings: new Dictionary<string, string?> { ["VSphere:ApplicationTagCategory"] = "Application" });
        var (lab, portal) = (session.Lab, session.Portal);
        await lab.TagVmAsync(Vm, "Application", "billing");
        await portal.EditConnectionAsync(session.ConnectionId, lab, pin: WrongPin);
        await lab.ResetCallsAsync();

        var error = await Assert.ThrowsAsync<ConnectorException>(() => portal.SyncAsync(session.ConnectionId));

        Assert.StartsWith(CertificateReason, $"{error.FaultType}: {error.Message}");
        Assert.Null((await portal.Db(db => db.Vms.FirstAsync(v => v.Name == Vm))).ApplicationTag);
        Assert.False(await portal.Db(db => db.Applications.AnyAsync(a => a.Name == "billing")));
        Assert.Equal(0, await lab.CallsAsync("Login"));

        // The same sync with the right pin does read the tag over REST: the refusal above is the pin, not a broken tag path.
        await portal.EditConnectionAsync(session.ConnectionId, lab);
        await portal.SyncAsync(session.ConnectionId);
        Assert.Equal("billing", (await portal.Db(db => db.Vms.FirstAsync(v => v.Name == Vm))).ApplicationTag);
    }

    [Fact]
    public async Task Check_ReportsCertificateFinding_AndCallsNothing_WhenPinIsWrong()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(300));
        var (lab, portal) = (session.Lab, session.Portal);
        var target = await lab.HostOfVmAsync(Vm) == "DC0_C0_H0" ? "DC0_C0_H1" : "DC0_C0_H0";
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);
        await portal.EditConnectionAsync(session.ConnectionId, lab, pin: WrongPin);
        await lab.ResetCallsAsync();

        var findings = await portal.Scoped<CheckRequest, IReadOnlyList<PrecheckFinding>>(u => u.HandleAsync(VSpherePortal.Admin, request.Id));

        var finding = Assert.Single(findings);
        Assert.Equal(FindingSeverity.Critical, finding.Severity);
        Assert.StartsWith(CertificateReason, $"{finding.Code}: {finding.Message}");
        Assert.Equal(0, await lab.CallsAsync("RetrieveServiceContent"));
        Assert.Equal(0, await lab.CallsAsync("RetrievePropertiesEx"));
    }

    [Fact]
    public async Task RollBack_FailsWithCertificateReason_AndLeavesVmWhereItIs_WhenPinIsWrong()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(300));
        var (lab, portal) = (session.Lab, session.Portal);
        var source = await lab.HostOfVmAsync(Vm);
        var target = source == "DC0_C0_H0" ? "DC0_C0_H1" : "DC0_C0_H0";
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);
        await portal.RunAsync(request.Id);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        await portal.EditConnectionAsync(session.ConnectionId, lab, pin: WrongPin);
        await lab.ResetCallsAsync();

        await portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(VSpherePortal.Operator, new RollBackRequest.Command(request.Id, "App misbehaves")));
        await portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));

        var details = await portal.GetAsync(request.Id);
        Assert.NotEqual(RequestState.RolledBack, details.Summary.State);
        Assert.Contains(CertificateReason, string.Join("\n", details.Summary.FailureReason, string.Join("\n", details.Transitions.Select(t => t.Reason))));
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        Assert.Equal(0, await lab.CallsAsync("RelocateVM_Task"));
        Assert.Equal(0, await lab.CallsAsync("Login"));
    }

    /// <summary>Moves a VM in the simulator behind the portal's back, as a vCenter administrator would.</summary>
    private static async Task MoveInLabAsync(LabSession session, string vm, string host)
    {
        var info = new ConnectionInfo(session.ConnectionId, "vcsim", "vsphere", session.Lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, session.Lab.Thumbprint, false);
        await using var client = await VimClient.ConnectAsync(info, new VSphereOptions(),
            NullLogger.Instance, default);
        var vmId = (await session.Lab.VmAsync(vm))["id"]!.GetValue<string>();
        var hostId = (await session.Lab.HostStateAsync(host))["id"]!.GetValue<string>();
        var spec = Vim.E("spec",
            new MoRef("HostSystem", hostId).ToXml("host"));
        await client.RunTaskAsync("RelocateVM_Task", new MoRef("VirtualMachine", vmId), default, spec);
        Assert.Equal(host, await session.Lab.HostOfVmAsync(vm));
    }
}
