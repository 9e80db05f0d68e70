using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CompactOrders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderDate",
                table: "Orders");

            migrationBuilder.AddColumn<byte[]>(
                name: "Compact",
                table: "Orders",
                type: "varbinary(max)",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderDate",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "OrderDate" })
                .Annotation("SqlServer:Include", new[] { "Compact" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderDate",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Compact",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_OrderDate",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "OrderDate" });
        }
    }
}
