using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using static MigrationPortal.Libvirt.Tests.LabPortal;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The portal reaching the hosts the way production does: qemu+tls:// URIs, with the connection's CA, client certificate
/// and (encrypted at rest) client key handed to libvirt through a private pkipath. The lab forwards each host's TLS port
/// from its network namespace to the same address in ours (tests/lab/libvirt/lab.sh, tls_forward_start), so the server
/// certificate's IP check, the client certificate and the CA are all really exercised.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LibvirtTlsConnectionTests : IAsyncLifetime
{
    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"mp-libvirt-tls-test-{Guid.NewGuid():N}.db");
    private LabPortal _portal = null!;

    private static string Pem(string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)!);

    public async Task InitializeAsync()
    {
        await _lab.ResetAsync();
        _portal = await StartAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        foreach (var f in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(f);
    }

    private Task<ConnectionView> SaveTlsConnectionAsync(string caPem, string? pin = null, string? endpoint = null, Guid? id = null) =>
        _portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Admin, new SaveConnection.Command(id, "lab over TLS", ConnectionKinds.Libvirt,
            endpoint ?? $"{_lab.ATlsUri}\n{_lab.BTlsUri}", null, null, pin, false, caPem, Pem("LIBVIRT_LAB_CLIENT_CERT"), Pem("LIBVIRT_LAB_CLIENT_KEY"))));

    /// <summary>The SHA-256 thumbprint of a lab host's server certificate ("a" or "b").</summary>
    private string ThumbprintOf(string host)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_lab.LabDir, $"pki/{host}-cert.pem")));
        return Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    private static readonly string WrongPin = new('A', 64);

    /// <summary>Both TLS hosts, each with its own pin in the endpoint (a URI fragment the portal keeps to itself).</summary>
    private string PinnedEndpoint(string pinA, string pinB) => $"{_lab.ATlsUri}#sha256={pinA}\n{_lab.BTlsUri}#sha256={pinB}";

    [Fact]
    public async Task TlsConnection_ShowsHostAThumbprint_SyncsTheGuest_AndLiveMigratesItToB()
    {
        var connection = await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"));

        var test = await _portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(Admin, connection.Id));
        Assert.True(test.Succeeded, test.Message);
        Assert.Contains("host lab-a", test.Message);
        Assert.Contains("host lab-b", test.Message);
        using (var serverCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_lab.LabDir, "pki/a-cert.pem"))))
            Assert.Equal(Convert.ToHexString(SHA256.HashData(serverCertificate.RawData)), test.CertificateThumbprint, StringComparer.OrdinalIgnoreCase);

        var sync = await _portal.SyncAsync(connection.Id);
        Assert.Equal(2, sync.Hosts);
        var vm = await _portal.GuestAsync(_lab);
        Assert.Equal(_lab.ATlsUri, vm.HostExternalId);

        await _portal.OwnGuestApplicationAndAutoApproveAsync();
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BTlsUri, $"{_lab.BTlsUri}#images");

        await _portal.RunAsync(request.Id);

        var stored = await _portal.RequestAsync(request.Id);
        Assert.True(stored.State == RequestState.Succeeded, stored.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.AUri));
        Assert.Contains($"reaches the destination at {_lab.BTlsUri}", stored.EncryptionApplied);
    }

    [Fact]
    public async Task TlsConnection_WithAForeignCa_FailsTestConnectionAndSync_WithTheCertificateReason()
    {
        var connection = await SaveTlsConnectionAsync(LibvirtLab.ForeignCaPem());

        var test = await _portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(Admin, connection.Id));
        Assert.False(test.Succeeded);
        Assert.Contains("certificate", test.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("PRIVATE KEY", test.Message);

        var sync = await Record.ExceptionAsync(() => _portal.SyncAsync(connection.Id));
        var error = Assert.IsAssignableFrom<ConnectorException>(sync);
        Assert.Contains("certificate", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await _portal.Db(db => db.Vms.CountAsync(v => v.ConnectionId == connection.Id)));
    }

    [Fact]
    public async Task TlsConnection_WithAPinThatDoesNotMatch_FailsTestConnection_ShowingThePresentedThumbprint()
    {
        var connection = await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), pin: new string('A', 64));

        var test = await _portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(Admin, connection.Id));

        Assert.False(test.Succeeded);
        Assert.Contains("not the pinned", test.Message);
        Assert.NotNull(test.CertificateThumbprint);
        Assert.Contains(test.CertificateThumbprint!, test.Message);
    }

    [Fact]
    public async Task Sync_FailsWithThePinReason_AndWritesNoVm_WhenTheConnectionPinDoesNotMatchHostA()
    {
        var connection = await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), pin: WrongPin);

        var sync = await Record.ExceptionAsync(() => _portal.SyncAsync(connection.Id));

        var error = Assert.IsAssignableFrom<ConnectorException>(sync);
        Assert.Contains("not the pinned", error.Message);
        Assert.Contains(ThumbprintOf("a"), error.Message);
        Assert.Contains("127.0.0.2", error.Message);
        Assert.Equal(0, await _portal.Db(db => db.Vms.CountAsync(v => v.ConnectionId == connection.Id)));
    }

    [Fact]
    public async Task Sync_FailsWithThePinReason_AndWritesNoVm_WhenOnlyHostBsPinDoesNotMatch()
    {
        var connection = await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), endpoint: PinnedEndpoint(ThumbprintOf("a"), WrongPin));

        var sync = await Record.ExceptionAsync(() => _portal.SyncAsync(connection.Id));

        var error = Assert.IsAssignableFrom<ConnectorException>(sync);
        Assert.Contains("not the pinned", error.Message);
        Assert.Contains(ThumbprintOf("b"), error.Message);
        Assert.Contains("127.0.0.3", error.Message);
        Assert.Equal(0, await _portal.Db(db => db.Vms.CountAsync(v => v.ConnectionId == connection.Id)));
    }

    [Fact]
    public async Task Sync_WritesTheGuest_AndTestConnectionShowsEachHostsThumbprint_WhenEveryHostsPinMatches()
    {
        var connection = await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), endpoint: PinnedEndpoint(ThumbprintOf("a"), ThumbprintOf("b").ToLowerInvariant()));

        var test = await _portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(Admin, connection.Id));
        var sync = await _portal.SyncAsync(connection.Id);

        Assert.True(test.Succeeded, test.Message);
        Assert.Contains(ThumbprintOf("a"), test.Message);
        Assert.Contains(ThumbprintOf("b"), test.Message);
        Assert.Equal(2, sync.Hosts);
        var vm = await _portal.GuestAsync(_lab);
        Assert.Equal(_lab.ATlsUri, vm.HostExternalId); // the pin is not part of the host's identity
    }

    [Fact]
    public async Task StorageMove_IsRefusedBeforeAnythingStarts_AndTheDiskStays_WhenHostAsPinNoLongerMatches()
    {
        // The connection-wide pin field, as connections made before per-host pins have it: it pins the first TLS host (A).
        var connection = await SyncedConnectionAsync(pinEachHost: false);
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.Storage, null, $"{_lab.ATlsUri}#fast");
        await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), pin: WrongPin, id: connection);

        await _portal.RunAsync(request.Id);

        await AssertRefusedBeforeAnythingStartedAsync(request.Id, "127.0.0.2");
        Assert.Equal(_lab.GuestDisk, await _lab.DiskPathAsync(_lab.AUri));
        Assert.Empty(Directory.GetFiles(_lab.AFastDir));
    }

    [Fact]
    public async Task Migration_IsRefusedBeforeAnythingStarts_AndTheGuestStaysOnA_WhenOnlyHostBsPinNoLongerMatches()
    {
        var connection = await SyncedConnectionAsync(pinEachHost: true);
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BTlsUri, $"{_lab.BTlsUri}#images");
        await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), endpoint: PinnedEndpoint(ThumbprintOf("a"), WrongPin), id: connection);

        await _portal.RunAsync(request.Id);

        await AssertRefusedBeforeAnythingStartedAsync(request.Id, "127.0.0.3");
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.BUri));
        Assert.Empty(Directory.GetFiles(_lab.BImagesDir));
    }

    [Fact]
    public async Task Rollback_IsRefused_AndTheGuestStaysOnB_WhenHostAsPinNoLongerMatches()
    {
        var connection = await SyncedConnectionAsync(pinEachHost: false);
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BTlsUri, $"{_lab.BTlsUri}#images");
        await _portal.RunAsync(request.Id);
        var moved = await _portal.RequestAsync(request.Id);
        Assert.True(moved.State == RequestState.Succeeded, moved.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), pin: WrongPin, id: connection);

        await _portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(Operator, new RollBackRequest.Command(request.Id, "Back after the test")));
        await _portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));

        var stored = await _portal.RequestAsync(request.Id);
        Assert.NotEqual(RequestState.RolledBack, stored.State);
        Assert.Contains("not the pinned", stored.FailureReason);
        Assert.Contains("127.0.0.2", stored.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        Assert.False(await _lab.DefinedOnAsync(_lab.AUri));
    }

    /// <summary>The TLS connection (each host pinned right, or no pins), synced, the guest's application owned and auto-approved.</summary>
    private async Task<Guid> SyncedConnectionAsync(bool pinEachHost)
    {
        var connection = await SaveTlsConnectionAsync(Pem("LIBVIRT_LAB_CA_CERT"), endpoint: pinEachHost ? PinnedEndpoint(ThumbprintOf("a"), ThumbprintOf("b")) : null);
        await _portal.SyncAsync(connection.Id);
        await _portal.OwnGuestApplicationAndAutoApproveAsync();
        return connection.Id;
    }

    private async Task AssertRefusedBeforeAnythingStartedAsync(Guid requestId, string hostIp)
    {
        var stored = await _portal.RequestAsync(requestId);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("not the pinned", stored.FailureReason);
        Assert.Contains(hostIp, stored.FailureReason);
        Assert.Null(stored.OperationId);
        Assert.All(stored.Steps.Where(s => s.Name is not (ItinerarySteps.Precheck or ItinerarySteps.CleanUp or ItinerarySteps.CleanUpLeftovers)), s => Assert.Null(s.StartedAt));
        // The clean-up steps run on every ending; here they find nothing to remove.
        Assert.Contains(stored.Steps, s => s.Name == ItinerarySteps.CleanUp && s.Message == "No snapshot to remove.");
    }
}
