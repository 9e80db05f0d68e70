using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailIndexByIdBlock : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_CustomerEmail",
                table: "Orders");
            // An expression index (EF cannot model one): see Features/Orders/IdBlockIndexes.cs.
            migrationBuilder.Sql("""CREATE INDEX "IX_Orders_WorkspaceId_Source_IdBlock_CustomerEmail" ON "Orders" ("WorkspaceId", "Source", "Id" / 4096, "CustomerEmail");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Orders_WorkspaceId_Source_IdBlock_CustomerEmail";""");
            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_CustomerEmail",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "CustomerEmail" });
        }
    }
}
