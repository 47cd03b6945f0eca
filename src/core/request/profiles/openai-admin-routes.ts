// vLLM and SGLang operational routes on the inference port (ml-protocols.md §4, §8). Several
// accept GET and still change state (SGLang's flush_cache, profiling), so they are `admin`
// whatever the method; read-only probes among them (is_paused, get_world_size) are kept here
// too because they only exist on servers started in a mode that also exposes the writes.
const ADMIN_PATHS: readonly string[] = [
  // vLLM
  "/v1/load_lora_adapter",
  "/v1/unload_lora_adapter",
  "/pause",
  "/resume",
  "/is_paused",
  "/scale_elastic_ep",
  "/is_scaling_elastic_ep",
  "/init_weight_transfer_engine",
  "/update_weights",
  "/get_world_size",
  "/abort_requests",
  "/server_info",
  "/reset_prefix_cache",
  "/reset_mm_cache",
  "/reset_encoder_cache",
  "/sleep",
  "/wake_up",
  "/is_sleeping",
  "/collective_rpc",
  "/start_profile",
  "/stop_profile",
  // SGLang
  "/flush_cache",
  "/clear_hicache_storage_backend",
  "/freeze_gc",
  "/start_expert_distribution_record",
  "/stop_expert_distribution_record",
  "/dump_expert_distribution_record",
  "/release_memory_occupation",
  "/resume_memory_occupation",
  "/slow_down",
  "/open_session",
  "/close_session",
  "/configure_logging",
  "/get_weights_by_name",
  "/update_weights_from_disk",
  "/update_weights_from_tensor",
  "/update_weights_from_distributed",
  "/update_weights_from_ipc",
  "/init_weights_update_group",
  "/destroy_weights_update_group",
  "/init_weights_send_group_for_remote_instance",
  "/send_weights_to_remote_instance",
  "/update_weight_version",
  "/load_lora_adapter",
  "/unload_lora_adapter",
  "/abort_request",
  "/pause_generation",
  "/continue_generation",
  "/set_internal_state",
];

export function isOpenAiAdminRoute(path: string): boolean {
  return ADMIN_PATHS.includes(path);
}
