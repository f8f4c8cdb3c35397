using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>vSphere's VirtualMachinePowerState and HostSystemPowerState words, mapped to the portal's power state.</summary>
public static class VSpherePowerStates
{
    public static PowerState ToPortal(string? runtimePowerState) => runtimePowerState switch
    {
        "poweredOn" => PowerState.On,
        "poweredOff" => PowerState.Off,
        // A VM can be suspended; a host reports "standBy" when it sleeps for power management, which takes no VMs either.
        "suspended" or "standBy" => PowerState.Suspended,
        _ => PowerState.Unknown,
    };
}
