using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Inventory;
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

    private Task<ConnectionView> SaveTlsConnectionAsync(string caPem, string? pin = null) =>
        _portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Admin, new SaveConnection.Command(null, "lab over TLS", ConnectionKinds.Libvirt,
            $"{_lab.ATlsUri}\n{_lab.BTlsUri}", null, null, pin, false, caPem, Pem("LIBVIRT_LAB_CLIENT_CERT"), Pem("LIBVIRT_LAB_CLIENT_KEY"))));

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
}
