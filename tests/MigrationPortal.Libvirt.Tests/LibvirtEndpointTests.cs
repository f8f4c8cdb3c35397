using MigrationPortal.Application.Admin;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>Per-host pins in a libvirt endpoint: parsed without touching the host URIs, validated before they are stored.</summary>
public sealed class LibvirtEndpointTests
{
    private static readonly string PinA = new('a', 64), PinB = string.Join(':', Enumerable.Repeat("B1", 32));

    [Fact]
    public void Parse_GivesEachTlsHostItsOwnPin_AndKeepsTheUriWithoutIt()
    {
        var hosts = LibvirtEndpoint.Parse($"qemu+tls://kvm1/system#sha256={PinA}, qemu+tls://kvm2/system#sha256={PinB}\nqemu+unix:///system");

        Assert.Equal(["qemu+tls://kvm1/system", "qemu+tls://kvm2/system", "qemu+unix:///system"], hosts.Select(h => h.Uri));
        Assert.Equal([PinA.ToUpperInvariant(), string.Concat(Enumerable.Repeat("B1", 32)), null], hosts.Select(h => h.Pin));
        Assert.Equal(hosts.Select(h => h.Uri), SaveConnection.EndpointUris($"qemu+tls://kvm1/system#sha256={PinA}, qemu+tls://kvm2/system#sha256={PinB}\nqemu+unix:///system"));
    }

    [Fact]
    public void Parse_AppliesTheConnectionPinToTheFirstTlsHostOnly_WhenItHasNoPinOfItsOwn()
    {
        var hosts = LibvirtEndpoint.Parse("qemu+unix:///system qemu+tls://kvm1/system qemu+tls://kvm2/system", PinB);

        Assert.Equal([null, string.Concat(Enumerable.Repeat("B1", 32)), null], hosts.Select(h => h.Pin));
    }

    [Theory]
    [InlineData("qemu+tls://kvm1/system#sha256=1234", null, "is not a pin")]
    [InlineData("qemu+tls://kvm1/system#pool", null, "is not a pin")]
    [InlineData("qemu+unix:///system#sha256=" + "AB" + "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB", null, "not reached over qemu+tls")]
    [InlineData("qemu+tls://kvm1/system#sha256=" + "AB" + "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB", "CDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCD", "two different pins")]
    public void PinProblem_NamesTheFault_WhenAPinCannotBeEnforced(string endpoint, string? connectionPin, string expected)
    {
        Assert.Contains(expected, LibvirtEndpoint.PinProblem(endpoint, connectionPin));
    }

    [Fact]
    public void PinProblem_IsNull_WhenEveryPinIsAThumbprintOnATlsHost()
    {
        Assert.Null(LibvirtEndpoint.PinProblem($"qemu+tls://kvm1/system#sha256={PinA} qemu+tls://kvm2/system#sha256={PinB} qemu+unix:///system", PinA.ToUpperInvariant()));
    }
}
