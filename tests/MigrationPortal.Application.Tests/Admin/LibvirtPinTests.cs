using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Admin;

/// <summary>Per-host pins on a libvirt connection: stored in the endpoint as written, refused when they could not be enforced.</summary>
public abstract class LibvirtPinTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static readonly string Pin = string.Concat(Enumerable.Repeat("3F", 32));

    private static SaveConnection.Command Libvirt(string endpoint, string? connectionPin = null) =>
        new(null, "kvm", "libvirt", endpoint, null, null, connectionPin, false);

    [Theory]
    [InlineData("qemu+tls://kvm1/system#sha256=12", null)] // not a SHA-256 thumbprint
    [InlineData("qemu+unix:///system#sha256=3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F", null)] // no certificate to pin
    [InlineData("qemu+tls://kvm1/system#sha256=3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F3F", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // two pins for kvm1
    [InlineData("qemu+unix:///system", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // a pin no TLS host would ever be checked against
    public async Task SaveConnection_IsRefusedAndStoresNothing_WhenAPinCouldNotBeEnforced(string endpoint, string? connectionPin)
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin, Libvirt(endpoint, connectionPin))));

        Assert.True(error.Errors.ContainsKey("Endpoint") || error.Errors.ContainsKey("PinnedThumbprint"), error.Message);
        Assert.False(await Portal.Db(db => db.Connections.AnyAsync(c => c.Name == "kvm")));
    }

    [Fact]
    public async Task SaveConnection_KeepsEachHostsPinInTheEndpoint_WhenEveryPinIsOnATlsHost()
    {
        var endpoint = $"qemu+tls://kvm1/system#sha256={Pin}\nqemu+tls://kvm2/system";

        var saved = await Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin, Libvirt(endpoint)));

        Assert.Equal(endpoint, saved.Endpoint);
        Assert.Equal(["qemu+tls://kvm1/system", "qemu+tls://kvm2/system"], SaveConnection.EndpointUris(saved.Endpoint));
    }
}

public sealed class SqliteLibvirtPinTests() : LibvirtPinTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlLibvirtPinTests() : LibvirtPinTests(DatabaseProvider.PostgreSql);
