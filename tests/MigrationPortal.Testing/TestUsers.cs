using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Testing;

/// <summary>The cast every test project signs in as; the IDs match the ones the web tests put in their test header.</summary>
public static class TestUsers
{
    public static readonly PortalUser Requester = User("u-rita", "Rita Requester", Roles.Requester);
    public static readonly PortalUser OtherRequester = User("u-otto", "Otto OtherApp", Roles.Requester);
    public static readonly PortalUser Approver1 = User("u-anna", "Anna Approver", Roles.Approver);
    public static readonly PortalUser Approver2 = User("u-ben", "Ben Approver", Roles.Approver);
    public static readonly PortalUser Operator = User("u-olga", "Olga Operator", Roles.Operator);
    public static readonly PortalUser Auditor = User("u-aldo", "Aldo Auditor", Roles.Auditor);
    public static readonly PortalUser Admin = User("u-adam", "Adam Admin", Roles.Administrator);

    public static PortalUser User(string id, string name, params string[] roles) => new(id, name, new HashSet<string>(roles), new HashSet<string>());
}
