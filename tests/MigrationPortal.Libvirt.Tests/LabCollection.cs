namespace MigrationPortal.Libvirt.Tests;

/// <summary>One lab per machine: every libvirt test is in this collection, which never runs in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection
{
    public const string Name = "libvirt lab";
}
