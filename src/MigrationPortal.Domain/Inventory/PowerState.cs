namespace MigrationPortal.Domain.Inventory;

/// <summary>
/// The portal's power state of a VM or host. Each connector maps its hypervisor's own vocabulary to this at the
/// connector seam (see its PowerStates mapping); nothing above the seam uses a hypervisor's words.
/// </summary>
public enum PowerState
{
    Unknown = 0,
    On = 1,
    Off = 2,
    Suspended = 3,
}
