//! Tests of the export projection and renderers.
