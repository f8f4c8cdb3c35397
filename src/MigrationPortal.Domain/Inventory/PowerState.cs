namespace MigrationPortal.Domain.Inventory;

/// <summary>
/// The portal's power state of a VM or host. Each connector maps its hypervisor's own words (vSphere's "poweredOn",
/// libvirt's domain states, ...) to this at the connector seam; nothing above it names a hypervisor's vocabulary.
/// </summary>
public enum PowerState
{
    Unknown = 0,
    On = 1,
    Off = 2,
    Suspended = 3,
}
