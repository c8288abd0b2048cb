#pragma once
// Training of float networks (LeNet-5 and the like) in standard and MinConv mode: the whole library.
//   backprop.h   forward/backward passes (the MinConv and BN gradients are written there)
//   batchnorm.h  BN parameters and folding
//   optimizer.h  SGD with momentum, Adam, AdamW; constant, cosine and step schedules with warm-up
//   trainer.h    epochs, shuffling, threads, evaluation
//   transfer.h   gain matching and BN set-up for transfer learning
#include "sw/train/backprop.h"
#include "sw/train/batchnorm.h"
#include "sw/train/optimizer.h"
#include "sw/train/trainer.h"
#include "sw/train/transfer.h"
