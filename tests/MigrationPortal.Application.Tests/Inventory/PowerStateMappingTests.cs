using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using MigrationPortal.Infrastructure.Connectors.VSphere;

namespace MigrationPortal.Application.Tests.Inventory;

/// <summary>Each connector maps its own power-state vocabulary to the portal's <see cref="PowerState"/>.</summary>
public sealed class PowerStateMappingTests
{
    [Theory]
    [InlineData("poweredOn", PowerState.On)]
    [InlineData("poweredOff", PowerState.Off)]
    [InlineData("suspended", PowerState.Suspended)]
    [InlineData("standBy", PowerState.Suspended)]
    [InlineData("unknown", PowerState.Unknown)]
    [InlineData(null, PowerState.Unknown)]
    [InlineData("On", PowerState.Unknown)]
    public void VSphereToPortal_MapsVCenterWords_ToPowerState(string? vcenter, PowerState expected) =>
        Assert.Equal(expected, VSpherePowerStates.ToPortal(vcenter));

    [Theory]
    [InlineData("poweredOn", PowerState.On)]
    [InlineData("poweredOff", PowerState.Off)]
    [InlineData("suspended", PowerState.Suspended)]
    [InlineData("gone", PowerState.Unknown)]
    public void DemoToPortal_MapsDemoWorldWords_ToPowerState(string demo, PowerState expected) =>
        Assert.Equal(expected, DemoConnector.ToPortal(demo));

    [Theory]
    [InlineData(1, PowerState.On)] // VIR_DOMAIN_RUNNING
    [InlineData(2, PowerState.On)] // BLOCKED
    [InlineData(3, PowerState.Suspended)] // PAUSED
    [InlineData(7, PowerState.Suspended)] // PMSUSPENDED
    [InlineData(4, PowerState.Off)] // SHUTDOWN
    [InlineData(5, PowerState.Off)] // SHUTOFF
    [InlineData(6, PowerState.Off)] // CRASHED
    [InlineData(0, PowerState.Unknown)] // NOSTATE
    public void LibvirtToPortal_MapsDomainStates_ToPowerState(int virDomainState, PowerState expected) =>
        Assert.Equal(expected, LibvirtPowerStates.ToPortal((DomainState)virDomainState));
}
