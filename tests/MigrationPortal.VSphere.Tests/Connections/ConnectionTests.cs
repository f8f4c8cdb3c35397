using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Domain.Requests;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests.Connections;

/// <summary>"Test connection" and requests when the credentials, the address or the certificate are wrong.</summary>
public sealed class ConnectionTests
{
    private const string Vm = "DC0_C0_RP0_VM0";

    private static Task<ConnectionTestResult> TestAsync(VSpherePortal portal, Guid id) =>
        portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(VSpherePortal.Admin, id));

    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"https://127.0.0.1:{port}/sdk");
    }

    [Fact]
    public async Task TestConnection_SucceedsAndShowsThumbprint_WhenPinnedOrTrustedThroughCa()
    {
        await using var lab = await VcsimLab.StartAsync();
        await using var portal = await VSpherePortal.StartAsync();
        var pinned = await portal.AddConnectionAsync(lab, name: "pinned");
        var viaCa = await portal.AddConnectionAsync(lab, pin: null, caPem: lab.CertificatePem, name: "via-ca");

        var byPin = await TestAsync(portal, pinned);
        var byCa = await TestAsync(portal, viaCa);

        Assert.True(byPin.Succeeded, byPin.Message);
        Assert.Equal(lab.Thumbprint, byPin.CertificateThumbprint);
        Assert.Contains("VMware vCenter Server", byPin.Message);
        Assert.True(byCa.Succeeded, byCa.Message);
        Assert.Equal(lab.Thumbprint, byCa.CertificateThumbprint);
    }

    [Fact]
    public async Task TestConnection_FailsWithVCentersMessage_WhenPasswordIsWrong()
    {
        await using var lab = await VcsimLab.StartAsync();
        await using var portal = await VSpherePortal.StartAsync();
        var id = await portal.AddConnectionAsync(lab, password: "not-the-password");

        var result = await TestAsync(portal, id);

        Assert.False(result.Succeeded);
        Assert.Equal("InvalidLogin: Cannot complete login due to an incorrect user name or password.", result.Message);
        Assert.Equal(lab.Thumbprint, result.CertificateThumbprint);
        Assert.DoesNotContain("not-the-password", await portal.Db(db => db.AuditEvents.Select(e => e.Details).ToListAsync()).ContinueWith(t => string.Join("\n", t.Result)));
    }

    [Fact]
    public async Task TestConnection_FailsClearly_WhenVCenterIsUnreachable()
    {
        await using var lab = await VcsimLab.StartAsync();
        await using var portal = await VSpherePortal.StartAsync();
        var id = await portal.AddConnectionAsync(lab, endpoint: ClosedPort());

        var result = await TestAsync(portal, id);

        Assert.False(result.Succeeded);
        Assert.StartsWith("HostUnreachable: Cannot reach vCenter at https://127.0.0.1:", result.Message);
        Assert.Null(result.CertificateThumbprint);
    }

    [Fact]
    public async Task TestConnection_RefusesCertificate_AndShowsItsThumbprint_WhenPinDiffersOrNothingTrustsIt()
    {
        await using var lab = await VcsimLab.StartAsync();
        await using var portal = await VSpherePortal.StartAsync();
        var wrongPin = await portal.AddConnectionAsync(lab, pin: new string('A', 64), name: "wrong-pin");
        var untrusted = await portal.AddConnectionAsync(lab, pin: null, name: "untrusted");

        var pinResult = await TestAsync(portal, wrongPin);
        var untrustedResult = await TestAsync(portal, untrusted);

        Assert.False(pinResult.Succeeded);
        Assert.StartsWith("CertificateNotTrusted:", pinResult.Message);
        Assert.Contains("does not match the pinned thumbprint", pinResult.Message);
        Assert.Equal(lab.Thumbprint, pinResult.CertificateThumbprint);
        Assert.False(untrustedResult.Succeeded);
        Assert.Contains("not trusted by this system", untrustedResult.Message);
        Assert.Equal(lab.Thumbprint, untrustedResult.CertificateThumbprint);
        Assert.Equal(0, await lab.CallsAsync("Login"));
    }

    public static TheoryData<string> Breakages => ["password", "unreachable", "pin"];

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task Request_FailsWithClearReason_AndNothingHalfDone_WhenConnectionBreaksAfterApproval(string breakage)
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(300));
        var (lab, portal) = (session.Lab, session.Portal);
        var source = await lab.HostOfVmAsync(Vm);
        var target = source == "DC0_C0_H0" ? "DC0_C0_H1" : "DC0_C0_H0";
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);
        switch (breakage)
        {
            case "password": await portal.EditConnectionAsync(session.ConnectionId, lab, password: "wrong"); break;
            case "unreachable": await portal.EditConnectionAsync(session.ConnectionId, lab, endpoint: ClosedPort()); break;
            default: await portal.EditConnectionAsync(session.ConnectionId, lab, pin: new string('B', 64)); break;
        }

        await lab.ResetCallsAsync();
        await portal.RunAsync(request.Id);

        var details = await portal.GetAsync(request.Id);
        Assert.Equal(RequestState.Failed, details.Summary.State);
        var expected = breakage switch
        {
            "password" => "InvalidLogin: Cannot complete login due to an incorrect user name or password.",
            "unreachable" => "HostUnreachable: Cannot reach vCenter",
            _ => "CertificateNotTrusted: The certificate's SHA-256 thumbprint",
        };
        Assert.StartsWith(expected, details.Summary.FailureReason);
        Assert.Equal(0, await lab.CallsAsync("CreateSnapshot_Task"));
        Assert.Equal(0, await lab.CallsAsync("ReconfigVM_Task"));
        Assert.Equal(0, await lab.CallsAsync("RelocateVM_Task"));
        Assert.Equal(source, await lab.HostOfVmAsync(Vm));
        Assert.Equal(0, (await lab.VmAsync(Vm))["snapshots"]!.GetValue<int>());
    }
}
